/**
 * Injectable in every service: callbacks run when the service starts to stop (`RunningService.close()`, which
 * SIGTERM/SIGINT call), before its servers close. A gRPC server's graceful shutdown waits for every open call,
 * so a handler that holds a call open for as long as the peer likes (a client stream Envoy never ends) ends it
 * here. Nest's own shutdown hooks run too late for that: a microservice closes its server first.
 */
export class ServiceStopping {
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  /** Runs `listener` once when the service stops (at once if it already is); returns the unsubscribe. */
  onStop(listener: () => void): () => void {
    if (this.stopped) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the runtime only. A listener that throws does not keep the others from running. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // Stopping goes on: the listener's own shutdown hook reports what it could not close.
      }
    }
    this.listeners.clear();
  }
}
