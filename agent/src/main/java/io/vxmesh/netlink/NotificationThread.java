package io.vxmesh.netlink;

import io.vxmesh.netlink.nl.Errno;
import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.NlMessage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop both monitors share ({@link NetlinkMonitor}, {@link NftMonitor}): one subscribed
 * socket read on a daemon thread, each notification decoded (null: not reported) and handed to
 * the listener; a receive buffer overflow (ENOBUFS) is reported as {@code overrun}; other
 * socket errors pause 100 ms so a persistent one cannot spin a core. {@link #close()} stops it
 * within ~250 ms (the socket's receive timeout).
 */
final class NotificationThread<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationThread.class);
  private final NetlinkSocket sock;
  private final Function<NlMessage, T> decode;
  private final Consumer<T> listener;
  private final T overrun;
  private final String name;
  private final Thread thread;
  private volatile boolean running = true;

  NotificationThread(String name, NetlinkSocket sock, Function<NlMessage, T> decode, Consumer<T> listener, T overrun) {
    this.name = name;
    this.sock = sock;
    this.decode = decode;
    this.listener = listener;
    this.overrun = overrun;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        for (NlMessage m : sock.receiveNotifications()) {
          T e = decode.apply(m);
          if (e != null) {
            listener.accept(e);
          }
        }
      } catch (NetlinkException e) {
        if (!running) {
          return;
        }
        if (e.errno() == Errno.ENOBUFS) {
          log.warn("{} overrun: notifications lost, state must be re-read", name);
          listener.accept(overrun);
        } else {
          log.warn("{} receive failed error={}", name, e.getMessage());
          pause();
        }
      } catch (RuntimeException e) {
        log.warn("{} listener failed error={}", name, e.toString());
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sock.close();
  }
}
