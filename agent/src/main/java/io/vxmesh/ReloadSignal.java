package io.vxmesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP as a reload request ({@code systemctl reload vxmesh}: the unit's
 * {@code ExecReload=/bin/kill -HUP $MAINPID}) instead of the JVM's default, which is to exit.
 * What is reloaded is the target's business (the agent re-reads its key file).
 *
 * <p>Installed before the agent starts, so a HUP during start-up does not kill it; such a
 * request is remembered and carried out once the target is set. Requests are carried out one
 * at a time, on the JVM's signal thread (reading one small file). {@link #close()} puts the
 * previous handler back.
 */
final class ReloadSignal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);
  private static final Signal HUP = new Signal("HUP");

  private SignalHandler previous;
  private Runnable target; // guarded by this
  private boolean pending; // guarded by this

  private ReloadSignal() {}

  static ReloadSignal install() {
    ReloadSignal s = new ReloadSignal();
    try {
      s.previous = Signal.handle(HUP, received -> s.requested());
    } catch (IllegalArgumentException e) {
      // The JVM keeps HUP for itself (-Xrs): reload needs a restart then; say so once.
      log.warn("agent cannot handle SIGHUP, reload disabled error={}", e.getMessage());
    }
    return s;
  }

  /** From now on reloads run {@code reload}; one requested while starting runs now. */
  synchronized void target(Runnable reload) {
    target = reload;
    if (pending) {
      pending = false;
      run();
    }
  }

  synchronized void requested() {
    if (target == null) {
      pending = true;
      log.info("agent reload requested while starting signal=SIGHUP (done once started)");
      return;
    }
    run();
  }

  private void run() {
    try {
      target.run();
    } catch (RuntimeException e) {
      log.error("agent reload failed error={}", e.toString(), e);
    }
  }

  @Override
  public synchronized void close() {
    target = null;
    if (previous != null) {
      Signal.handle(HUP, previous);
    }
  }
}
