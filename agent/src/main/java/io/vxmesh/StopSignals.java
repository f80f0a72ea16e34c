package io.vxmesh;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as an ordinary stop request instead of the JVM's default (run the shutdown
 * hooks, then exit 128+signal). With the default, {@code systemctl stop} ends the agent with
 * status 143 and leaves the unit {@code failed}; with these handlers the main thread closes the
 * agent once, in order, and returns 0.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, open to class-path code) is the JDK's only
 * way to handle a signal. The handler runs on a JVM thread of its own; it must only hand the
 * request over. {@link #close()} puts the previous handlers back.
 */
final class StopSignals implements AutoCloseable {
  private static final List<String> NAMES = List.of("TERM", "INT");

  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  private StopSignals() {}

  /** Handles SIGTERM and SIGINT by calling {@code onStop} with the signal's name ("TERM", "INT"). */
  static StopSignals install(Consumer<String> onStop) {
    StopSignals s = new StopSignals();
    for (String name : NAMES) {
      Signal sig = new Signal(name);
      s.previous.add(Signal.handle(sig, received -> onStop.accept(received.getName())));
      s.signals.add(sig);
    }
    return s;
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      Signal.handle(signals.get(i), previous.get(i));
    }
  }
}
