import type { App } from './app.js';

/**
 * Resolves once the app has closed after SIGTERM or SIGINT: no new connections, in-flight requests and
 * jobs drained. A second signal, a failed close or SHUTDOWN_TIMEOUT_MS passing exits the process with 1.
 */
export function closeOnSignal(app: App, onSignal?: (signal: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        app.log.error('shutdown timed out');
        process.exit(1);
      }, app.config.shutdownTimeoutMs);
      timer.unref();
      const closing = app.close();
      onSignal?.(signal);
      closing.then(
        () => resolve(),
        (err) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
