/**
 * Local model files, each downloaded once per page (per realm: the page or its worker) and shared by everyone who
 * asks for it: readModelFile, transformers.js's loads and its metadata checks (which, given a progress callback or a
 * response without content-length, GET the whole file again just to read its headers), the device probe's second
 * model and the encoder id. A caller that asks while the download runs joins it: each caller gets its own response
 * whose body replays the bytes received so far and then follows the download, so load progress still streams. A
 * reload reads the files fresh, so a rebuilt model is never shadowed by a stale copy; failed downloads, error
 * answers and HTML pages (a dev server's answer for a missing file) are passed on but not kept.
 */
export interface PageFiles {
  /** The file at `url` (resolved against the realm's location), downloaded at most once while it answers 200. */
  fetch(url: string): Promise<Response>;
}

/** This realm's local files (the worker's, in a page that routes). */
export const pageFiles: PageFiles = createPageFiles();

/** A PageFiles over `fetchFile` (tests pass a fake; the encoder uses the realm's fetch). */
export function createPageFiles(fetchFile: (url: string) => Promise<Response> = (url) => fetch(url)): PageFiles {
  const downloads = new Map<string, Download>();
  return {
    async fetch(url) {
      const key = new URL(url, globalThis.location?.href).href;
      let download = downloads.get(key);
      if (!download) {
        const started: Download = new Download(fetchFile(key), (kept) => {
          if (!kept && downloads.get(key) === started) downloads.delete(key);
        });
        downloads.set(key, started);
        download = started;
      }
      return download.response();
    },
  };
}

interface ResponseHead {
  status: number;
  statusText: string;
  headers: Headers;
}

/** One file's download: its response head, and its body's chunks as they arrive. */
class Download {
  private readonly head: Promise<ResponseHead>;
  private readonly chunks: Uint8Array[] = [];
  private state: 'running' | 'done' | 'failed' = 'running';
  private failure: unknown;
  private changed!: Promise<void>;
  private wake!: () => void;

  /** `keep` learns once whether the file may be kept: false for a failure or an answer that is not the file. */
  constructor(response: Promise<Response>, keep: (kept: boolean) => void) {
    this.renew();
    this.head = response.then(
      (answer) => {
        keep(answer.ok && !(answer.headers.get('content-type') ?? '').includes('text/html'));
        void this.read(answer, keep);
        return { status: answer.status, statusText: answer.statusText, headers: answer.headers };
      },
      (error: unknown) => {
        keep(false);
        this.end('failed', error);
        throw error;
      },
    );
  }

  /** A response of its own for one caller, its body replaying the download. */
  async response(): Promise<Response> {
    const head = await this.head;
    const headers = new Headers(head.headers);
    if (this.state === 'done') {
      // The bytes as held here: a complete, decoded body of known length.
      headers.delete('content-encoding');
      headers.set('content-length', String(this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)));
    }
    return new Response(this.replay(), { status: head.status, statusText: head.statusText, headers });
  }

  /** Reads the one network body into chunks, waking every reader at each step. */
  private async read(answer: Response, keep: (kept: boolean) => void): Promise<void> {
    if (!answer.body) return this.end('done');
    const reader = answer.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return this.end('done');
        this.chunks.push(value);
        this.notify();
      }
    } catch (error) {
      keep(false);
      this.end('failed', error);
    }
  }

  /** A body that replays the chunks received so far, then follows the download to its end. */
  private replay(): ReadableStream<Uint8Array> {
    let next = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (next >= this.chunks.length && this.state === 'running') await this.changed;
        // A copy: a reader may transfer or detach what it is given, and the next reader needs the bytes intact.
        if (next < this.chunks.length) controller.enqueue(this.chunks[next++]!.slice());
        else if (this.state === 'failed') controller.error(this.failure);
        else controller.close();
      },
    });
  }

  private end(state: 'done' | 'failed', failure?: unknown): void {
    this.state = state;
    this.failure = failure;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.renew();
    wake();
  }

  private renew(): void {
    this.changed = new Promise((resolve) => {
      this.wake = resolve;
    });
  }
}
