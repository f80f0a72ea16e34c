package io.vxmesh.systemd;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notify protocol ({@code sd_notify(3)}): datagrams like {@code READY=1} or
 * {@code STATUS=...} sent to the AF_UNIX datagram socket named by {@code $NOTIFY_SOCKET}.
 * The JDK has no AF_UNIX datagram sockets, so this goes through libc with jnr-ffi.
 * Without {@code $NOTIFY_SOCKET} (not under systemd) every call is a no-op.
 */
public final class SdNotify implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SdNotify.class);
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SUN_PATH_MAX = 108;

  /** The libc calls we need. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    int close(int fd);
  }

  private final String socketPath;
  private final LibC libc;
  private ScheduledExecutorService watchdog;

  private SdNotify(String socketPath, LibC libc) {
    this.socketPath = socketPath;
    this.libc = libc;
  }

  /** From the environment: {@code NOTIFY_SOCKET}; a no-op notifier when unset. */
  public static SdNotify fromEnvironment() {
    String path = System.getenv("NOTIFY_SOCKET");
    if (path == null || path.isEmpty()) {
      return new SdNotify(null, null);
    }
    return forSocket(path);
  }

  /** A notifier for an explicit socket path (tests; {@code @name} for the abstract namespace). */
  public static SdNotify forSocket(String path) {
    return new SdNotify(path, LibraryLoader.create(LibC.class).load("c"));
  }

  public boolean enabled() {
    return socketPath != null;
  }

  /** Sends one notification, e.g. {@code "READY=1\nSTATUS=joined"}; failures are logged, never thrown. */
  public void notify(String state) {
    if (socketPath == null) {
      return;
    }
    byte[] addr = sockaddrUn(socketPath);
    if (addr == null) {
      log.warn("sd_notify socket path too long path={}", socketPath);
      return;
    }
    int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      log.warn("sd_notify socket() failed");
      return;
    }
    try {
      byte[] msg = state.getBytes(StandardCharsets.UTF_8);
      long n = libc.sendto(fd, msg, msg.length, 0, addr, addr.length);
      if (n < 0) {
        log.warn("sd_notify sendto failed path={}", socketPath);
      }
    } finally {
      libc.close(fd);
    }
  }

  public void ready(String status) {
    notify("READY=1\nSTATUS=" + status);
  }

  /** {@code STOPPING=1}: the service is shutting down (systemctl shows "deactivating"). */
  public void stopping() {
    notify("STOPPING=1");
  }

  public void status(String status) {
    notify("STATUS=" + status);
  }

  /**
   * Starts watchdog pings at half of {@code $WATCHDOG_USEC} when systemd asked for them
   * ({@code WatchdogSec=}); {@code healthy} is consulted before every ping so a wedged agent
   * stops pinging and gets restarted.
   */
  public void startWatchdog(java.util.function.BooleanSupplier healthy) {
    String usec = System.getenv("WATCHDOG_USEC");
    String pid = System.getenv("WATCHDOG_PID");
    if (socketPath == null || usec == null) {
      return;
    }
    if (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
      return;
    }
    long periodUs;
    try {
      periodUs = Math.max(100_000L, Long.parseLong(usec) / 2);
    } catch (NumberFormatException e) {
      log.warn("ignoring malformed WATCHDOG_USEC={}", usec);
      return;
    }
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vxmesh-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleAtFixedRate(() -> {
      if (healthy.getAsBoolean()) {
        notify("WATCHDOG=1");
      }
    }, 0, periodUs, TimeUnit.MICROSECONDS);
    log.info("watchdog enabled period_ms={}", periodUs / 1000);
  }

  /** struct sockaddr_un; a leading '@' means the abstract namespace (first byte NUL). */
  static byte[] sockaddrUn(String path) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH_MAX) {
      return null;
    }
    boolean abstractNs = p.length > 0 && p[0] == '@';
    byte[] addr = new byte[2 + p.length + (abstractNs ? 0 : 1)];
    addr[0] = (byte) AF_UNIX; // sa_family_t, host order (little-endian on x86_64/arm64)
    addr[1] = 0;
    System.arraycopy(p, 0, addr, 2, p.length);
    if (abstractNs) {
      addr[2] = 0;
    }
    return addr;
  }

  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
  }
}
