/**
 * The entry of the one-file build (`npm run build:element`, dist/route-chat/route-chat.js): defines <route-chat> and
 * points its model files at the bundle's own folder, where the build puts models/, routers/ and ort/. A page then
 * needs one script tag and one element.
 */
import { RouteChat } from './route-chat.ts';

// The folder of this script, cut from its URL: `new URL('./', import.meta.url)` would be taken by Vite for an asset.
RouteChat.defaultModelBaseUrl = import.meta.url.slice(0, import.meta.url.lastIndexOf('/') + 1);

export { RouteChat };
