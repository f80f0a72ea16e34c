package io.vxmesh.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local API: a unix stream socket speaking varint-length-delimited protobuf
 * ({@link Request} → {@link Response}, several per connection).
 *
 * <p>Threads: one daemon acceptor, and one daemon thread per admitted connection. Connections
 * are limited per peer uid (SO_PEERCRED, read at accept): non-root users share
 * {@link #MAX_NON_ROOT_CONNECTIONS}, at most {@link #MAX_CONNECTIONS_PER_UID} each, and root may
 * use any of {@link #MAX_CONNECTIONS}, so a user holding all of its connections open neither
 * locks out other users nor root ({@link ConnectionSlots}). A refused connection gets one
 * Error response saying why and is closed; refusals are counted ({@link #refusedConnections()})
 * and logged at most once per {@link #REFUSAL_LOG_INTERVAL}. Each request must arrive, and each response
 * be taken, within the idle timeout or the connection is closed, so a silent, slow or
 * non-reading client cannot pin a thread.
 * Anything a client sends that is not a well-formed request — a bad length, an oversized frame,
 * bytes that are not a Request — closes that connection only, is counted in
 * {@link #badFrames()} and logged at WARN, at most one line per uid per {@link BadFrameThrottle#INTERVAL}
 * with the count since the last line ({@link BadFrameThrottle}); the server and other connections carry on.
 *
 * <p>The socket file is created mode 0660 (group {@code vxmesh} when that group exists), its
 * parent directory if missing; a stale file from a dead agent is replaced, a live agent's is
 * not. {@link #close()} removes it.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  /** Largest request accepted; real requests are a few bytes. */
  public static final int MAX_FRAME = 64 * 1024;
  /** All connections at once; the difference to {@link #MAX_NON_ROOT_CONNECTIONS} is kept for root. */
  public static final int MAX_CONNECTIONS = 20;
  /** Connections of all non-root users together (the group {@code vxmesh}). */
  public static final int MAX_NON_ROOT_CONNECTIONS = 16;
  /** Connections of one non-root uid: a CLI uses one per command, a monitor a few. */
  public static final int MAX_CONNECTIONS_PER_UID = 4;
  public static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);
  /** Refused connections kept until their Error response is read (then closed); beyond this, closed at once. */
  private static final int MAX_REFUSED_PENDING = 64;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /** A request frame, once begun, must arrive complete within this. */
  public static final Duration FRAME_TIMEOUT = Duration.ofSeconds(2);
  public static final String GROUP = "vxmesh";
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Path socket;
  private final ApiHandler handler;
  private final Duration idleTimeout;
  private final Path passwd;
  private final AtomicLong badFrames = new AtomicLong();
  private final BadFrameThrottle badFrameThrottle = new BadFrameThrottle(() -> System.nanoTime() / 1_000_000);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicInteger refusedPending = new AtomicInteger();
  private final ConnectionSlots slots = new ConnectionSlots(MAX_CONNECTIONS, MAX_NON_ROOT_CONNECTIONS, MAX_CONNECTIONS_PER_UID);
  private long lastRefusalLogMs = Long.MIN_VALUE / 2; // acceptor thread only
  private long refusedAtLastLog;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor connections;
  private final ScheduledExecutorService timer;
  private volatile ServerSocketChannel server;
  private volatile boolean closed;

  public ApiServer(Path socket, ApiHandler handler) {
    this(socket, handler, DEFAULT_IDLE_TIMEOUT);
  }

  public ApiServer(Path socket, ApiHandler handler, Duration idleTimeout) {
    this.socket = socket;
    this.handler = handler;
    this.idleTimeout = idleTimeout;
    this.passwd = Path.of("/etc/passwd");
    AtomicInteger n = new AtomicInteger();
    // Admission is bounded by the slots; the pool has slack for threads still on their way back.
    this.connections = new ThreadPoolExecutor(0, 2 * MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> daemon(r, "vxmesh-api-conn-" + n.incrementAndGet()));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vxmesh-api-timeout"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Binds the socket and starts accepting. Fails if another agent is listening on it. */
  public synchronized void start() throws IOException {
    if (server != null || closed) {
      throw new IllegalStateException("api server already started or closed");
    }
    Path dir = socket.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    removeStale();
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(socket), 64);
      restrict();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
    server = ch;
    Thread acceptor = daemon(this::acceptLoop, "vxmesh-api-accept");
    acceptor.start();
    LOG.info("api listening socket={} max_frame={}", socket, MAX_FRAME);
  }

  private void removeStale() throws IOException {
    if (checkSocket(socket)) {
      LOG.info("api replacing stale socket socket={}", socket);
      Files.deleteIfExists(socket);
    }
  }

  /**
   * Checks, changing nothing, that {@link #start()} may listen on {@code socket}: fails when
   * something other than a socket is there, or another agent is listening on it (the message is
   * the one start() would give). Returns whether a stale socket is there, which start() replaces.
   */
  public static boolean checkSocket(Path socket) throws IOException {
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new IOException("cannot listen on " + socket + ": exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      throw new IOException("cannot listen on " + socket + ": another agent is listening there");
    } catch (SocketException e) {
      return true;
    }
  }

  /** 0660, group vxmesh if it exists: members of the group may use the CLI without root. */
  private void restrict() throws IOException {
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    try {
      GroupPrincipal g = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(GROUP);
      Files.getFileAttributeView(socket, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(g);
    } catch (UserPrincipalNotFoundException e) {
      LOG.debug("api group missing group={}; socket stays in the agent's group", GROUP);
    }
  }

  private void acceptLoop() {
    ServerSocketChannel ch = server;
    while (!closed) {
      SocketChannel c;
      try {
        c = ch.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("api accept failed socket={} error={}", socket, e.toString());
        }
        continue;
      }
      Caller caller;
      try {
        caller = Caller.of(c.getOption(ExtendedSocketOptions.SO_PEERCRED), passwd);
      } catch (IOException | RuntimeException e) {
        LOG.debug("api peer credentials unreadable error={}", e.toString());
        closeQuietly(c);
        continue;
      }
      String refusal = slots.admit(caller.uid());
      if (refusal != null) {
        refuse(c, caller, refusal);
        continue;
      }
      try {
        connections.execute(() -> serve(c, caller));
      } catch (RejectedExecutionException e) {
        slots.release(caller.uid());
        refuse(c, caller, "the agent is shutting down or out of threads");
      }
    }
  }

  /**
   * Tells a refused client why in one Error response (it reads it as the answer to its first
   * request), then closes. Never blocks the acceptor: one non-blocking write of a few bytes; the
   * socket is closed after {@link #FRAME_TIMEOUT}, so the client's request write does not fail
   * before it could read the answer (at most {@link #MAX_REFUSED_PENDING} wait like this).
   */
  private void refuse(SocketChannel c, Caller caller, String why) {
    long n = refused.incrementAndGet();
    long now = System.nanoTime() / 1_000_000;
    if (now - lastRefusalLogMs >= REFUSAL_LOG_INTERVAL.toMillis()) {
      LOG.warn("api connection refused uid={} user={} reason={} refused_since_last_line={} refused_total={}",
          caller.uid(), caller.user(), why, n - refusedAtLastLog, n);
      lastRefusalLogMs = now;
      refusedAtLastLog = n;
    }
    try {
      c.configureBlocking(false);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      error(why).writeDelimitedTo(b);
      c.write(ByteBuffer.wrap(b.toByteArray()));
      c.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(c);
      return;
    }
    if (refusedPending.incrementAndGet() > MAX_REFUSED_PENDING) {
      refusedPending.decrementAndGet();
      closeQuietly(c);
      return;
    }
    try {
      timer.schedule(() -> {
        refusedPending.decrementAndGet();
        closeQuietly(c);
      }, FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      refusedPending.decrementAndGet();
      closeQuietly(c);
    }
  }

  private void serve(SocketChannel c, Caller caller) {
    open.add(c);
    try {
      InputStream in = new BufferedInputStream(Channels.newInputStream(c));
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c));
      while (!closed) {
        // Idle between requests for up to idleTimeout; but once a frame has begun it must be
        // complete within FRAME_TIMEOUT (requests are a few bytes written at once), so junk that
        // claims a long length cannot hold a connection thread.
        AtomicReference<ScheduledFuture<?>> deadline = new AtomicReference<>(
            timer.schedule(() -> closeQuietly(c), idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        byte[] frame;
        try {
          frame = Frames.read(in, MAX_FRAME, () -> {
            deadline.get().cancel(false);
            deadline.set(timer.schedule(() -> {
              bad(null, "incomplete frame after " + FRAME_TIMEOUT.toMillis() + " ms");
              closeQuietly(c);
            }, FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
          });
        } finally {
          deadline.get().cancel(false);
        }
        if (frame == null) {
          return;
        }
        Request req;
        try {
          req = Request.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
          bad(caller, "not a Request: " + e.getMessage());
          return;
        }
        if (req.getKindCase() == Request.KindCase.KIND_NOT_SET) {
          bad(caller, "request of unknown or no kind (" + frame.length + " bytes)");
          error("unknown request kind; is the CLI newer than the agent?").writeDelimitedTo(out);
          out.flush();
          return;
        }
        requests.incrementAndGet();
        Response response = respond(req, caller);
        // A client that stops reading must not pin this thread on a full socket buffer.
        ScheduledFuture<?> writeDeadline = timer.schedule(() -> closeQuietly(c), idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
          response.writeDelimitedTo(out);
          out.flush();
        } finally {
          writeDeadline.cancel(false);
        }
      }
    } catch (Frames.BadFrameException e) {
      bad(caller, e.getMessage());
    } catch (AsynchronousCloseException e) {
      if (!closed) {
        LOG.debug("api connection closed after idle timeout timeout_ms={}", idleTimeout.toMillis());
      }
    } catch (IOException e) {
      LOG.debug("api connection ended error={}", e.toString());
    } finally {
      open.remove(c);
      closeQuietly(c);
      slots.release(caller.uid());
    }
  }

  private Response respond(Request req, Caller caller) {
    if (req.getKindCase() == Request.KindCase.LEAVE && !caller.isRoot()) {
      LOG.warn("api leave refused uid={} user={}", caller.uid(), caller.user());
      return error("leave needs root (uid 0); you are uid " + caller.uid());
    }
    if (req.getKindCase() == Request.KindCase.FORCE_LEAVE && !caller.isRoot()) {
      LOG.warn("api force-leave refused uid={} user={}", caller.uid(), caller.user());
      return error("force-leave needs root (uid 0); you are uid " + caller.uid());
    }
    if (req.getKindCase() == Request.KindCase.LOG_LEVEL && !req.getLogLevel().getLevel().isEmpty() && !caller.isRoot()) {
      LOG.warn("api log-level change refused uid={} user={}", caller.uid(), caller.user());
      return error("changing the log level needs root (uid 0); you are uid " + caller.uid());
    }
    try {
      Response r = handler.handle(req, caller);
      return r != null ? r : error("agent returned no answer for " + req.getKindCase());
    } catch (RuntimeException e) {
      LOG.warn("api handler failed request={} error={}", req.getKindCase(), e.toString(), e);
      return error("agent failed to answer " + req.getKindCase().name().toLowerCase() + ": " + e.getMessage());
    }
  }

  private void bad(Caller caller, String why) {
    long n = badFrames.incrementAndGet();
    long since = badFrameThrottle.record(caller == null ? null : caller.uid());
    if (since > 0) {
      LOG.warn("api bad frame, closing connection uid={} reason={} bad_since_last_line={} total={}"
          + " (next line for this uid in {} s at the earliest)", caller == null ? "?" : caller.uid(), why, since, n,
          BadFrameThrottle.INTERVAL.toSeconds());
    }
  }

  private static Response error(String message) {
    return ApiMessages.error(message);
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing; nothing to do
    }
  }

  public Path socket() {
    return socket;
  }

  /** Connections closed for a malformed or oversized frame since start. */
  public long badFrames() {
    return badFrames.get();
  }

  /** Connections being served right now. */
  public int openConnections() {
    return open.size();
  }

  /** Connections refused by the per-uid and total limits since start. */
  public long refusedConnections() {
    return refused.get();
  }

  /** Requests answered since start. */
  public long requests() {
    return requests.get();
  }

  /** Stops accepting, closes open connections and removes the socket file. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerSocketChannel ch = server;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("api close error={}", e.toString());
      }
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        LOG.warn("api cannot remove socket socket={} error={}", socket, e.toString());
      }
    }
    open.forEach(ApiServer::closeQuietly);
    connections.shutdownNow();
    timer.shutdownNow();
  }
}
