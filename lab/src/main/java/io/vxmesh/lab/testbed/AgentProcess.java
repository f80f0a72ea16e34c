package io.vxmesh.lab.testbed;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.KeyringRequest;
import io.vxmesh.proto.KeyringResponse;
import io.vxmesh.proto.ListMembersRequest;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.StatusRequest;
import io.vxmesh.proto.StatusResponse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real agent: {@code ip netns exec <host ns> java -jar vxmesh.jar agent --config FILE}, with
 * stdout and stderr appended to a per-host log file. Signals go to that process only, by PID
 * ({@code ip netns exec} execs the command, so the PID is the JVM's). Restarts reuse the same
 * config file and log file, like systemd would.
 *
 * <p>Not thread-safe for concurrent lifecycle calls on one agent; tests drive one agent from one
 * thread. Reads ({@link #isAlive()}, {@link #log()}) are safe from anywhere.
 */
public final class AgentProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentProcess.class);

  /**
   * Small-footprint flags for test agents: 5+ JVMs share 2 cores, so the C1-only JIT and serial
   * GC keep start-up and idle CPU low. Benchmarks that measure the shipped launcher pass their own.
   */
  public static final List<String> TEST_JVM_ARGS =
      List.of("-Xms16m", "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  private final Host host;
  private final Path configFile;
  private final Path socket;
  private final Path logFile;
  private final Path jar;
  private final List<String> jvmArgs;
  private final java.util.Map<String, String> environment = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Process process;

  /**
   * @param socket the API socket named in {@code configFile} (used by {@link #cli} and {@link #members})
   */
  public AgentProcess(Host host, Path configFile, Path socket, Path logFile, Path jar, List<String> jvmArgs) {
    this.host = host;
    this.configFile = configFile;
    this.socket = socket;
    this.logFile = logFile;
    this.jar = jar;
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  /**
   * Where the agent's vxmesh.jar is: system property {@code vxmesh.jar} (surefire sets it); else,
   * when this code runs from {@code <repo>/lab/target/vxmesh-lab.jar}, that checkout's
   * {@code agent/target/vxmesh.jar}; else {@code agent/target/vxmesh.jar} below the working
   * directory; else the installed package's {@code /usr/lib/vxmesh/vxmesh.jar}.
   */
  public static Path locateJar() {
    String prop = System.getProperty("vxmesh.jar");
    if (prop != null && !prop.isBlank()) {
      Path p = Path.of(prop);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("vxmesh.jar " + p + " (system property vxmesh.jar) does not exist; build it with `mvn -q -B package -DskipTests`");
      }
      return p;
    }
    List<Path> candidates = new ArrayList<>();
    try {
      Path running = Path.of(AgentProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = running.getParent();
      Path module = target == null ? null : target.getParent();
      if (module != null && module.getParent() != null) {
        candidates.add(module.getParent().resolve("agent/target/vxmesh.jar"));
      }
    } catch (URISyntaxException | RuntimeException e) {
      log.debug("agent cannot locate running jar reason={}", e.toString());
    }
    candidates.add(Path.of("agent/target/vxmesh.jar").toAbsolutePath());
    candidates.add(Path.of("/usr/lib/vxmesh/vxmesh.jar"));
    return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
        "cannot find the agent's vxmesh.jar (tried " + candidates + "); build it with `mvn -q -B package -DskipTests`"));
  }

  /** The java binary running this JVM, so agents use the same Java 17. */
  public static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  public Host host() {
    return host;
  }

  public Path configFile() {
    return configFile;
  }

  public Path socket() {
    return socket;
  }

  public Path logFile() {
    return logFile;
  }

  /**
   * Sets an environment variable for this and every later {@link #start()} (e.g.
   * {@code STATE_DIRECTORY}, as systemd would set it); returns this.
   */
  public AgentProcess environment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** Starts the agent; throws when it is already running. */
  public synchronized AgentProcess start() {
    if (isAlive()) {
      throw new IllegalStateException("agent " + host.name() + " is already running pid=" + process.pid());
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.ns(), javaBinary()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar.toString(), "agent", "--config", configFile.toString()));
    try {
      Files.writeString(logFile, "=== testbed: start " + Instant.now() + " " + String.join(" ", cmd) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(new File("/dev/null"));
      pb.environment().remove("JOURNAL_STREAM");
      pb.environment().remove("NOTIFY_SOCKET");
      pb.environment().putAll(environment);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start agent " + host.name() + ": " + e.getMessage(), e);
    }
    log.debug("agent started host={} pid={}", host.name(), process.pid());
    return this;
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The PID of the running (or last) agent JVM. */
  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("agent " + host.name() + " was never started");
    }
    return p.pid();
  }

  /** SIGTERM (hitless stop: the agent keeps the mesh's view and the kernel); returns the exit code. */
  public int stop(Duration timeout) {
    Process p = requireProcess();
    p.destroy();
    return awaitExit(timeout).orElseThrow(() -> new IllegalStateException(
        "agent " + host.name() + " pid=" + p.pid() + " did not exit within " + timeout.toMillis() + " ms of SIGTERM"));
  }

  /** SIGKILL, like a crash; waits until the process is gone. */
  public void kill() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("agent " + host.name() + " pid=" + p.pid() + " survived SIGKILL for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the process is frozen but its sockets stay open (the kernel still accepts TCP). */
  public void freeze() {
    signal("STOP");
  }

  /** SIGHUP, what {@code systemctl reload vxmesh} sends: the agent re-reads its key file. */
  public void reload() {
    signal("HUP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() {
    signal("CONT");
  }

  /** SIGTERM, wait, start again with the same config and log file. */
  public AgentProcess restart(Duration stopTimeout) {
    stop(stopTimeout);
    return start();
  }

  /** Waits for the process to exit; empty when it is still running after {@code timeout}. */
  public OptionalInt awaitExit(Duration timeout) {
    Process p = requireProcess();
    try {
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return OptionalInt.of(p.exitValue());
      }
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  /** The whole log file (all starts of this agent). */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  /** Waits until the log contains {@code text}; returns false on timeout. Polls every 50 ms. */
  public boolean awaitLog(String text, Duration timeout) {
    return Poll.until(timeout, Duration.ofMillis(50), () -> log().contains(text));
  }

  /** Waits until the API socket exists (the agent created it); false on timeout or when the agent exited. */
  public boolean awaitSocket(Duration timeout) {
    // Accepting, not merely present: a previous agent killed with -9 on this host leaves its
    // socket file behind until the new agent replaces it. Stops early when the agent died.
    return Poll.until(timeout, Duration.ofMillis(50), () -> accepting() || !isAlive()) && accepting();
  }

  private boolean accepting() {
    try (var ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Runs {@code vxmesh <args>} inside the host's namespace with the same jar, e.g.
   * {@code cli(timeout, "status", "--socket", socket().toString())}.
   */
  public ExecResult cli(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.ns(), javaBinary()));
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    return Exec.run(timeout, cmd);
  }

  /**
   * {@code vxmesh members -o json --socket <socket>} in the host's namespace, parsed as the
   * ListMembers response (proto3 JSON). Exit 2 ("nothing matches") is an empty list.
   */
  public ListMembersResponse members() {
    ExecResult r = cli(Duration.ofSeconds(20), "members", "-o", "json", "--socket", socket.toString());
    if (r.exitCode() == 2 && !r.timedOut()) {
      return ListMembersResponse.getDefaultInstance();
    }
    r.orThrow();
    ListMembersResponse.Builder b = ListMembersResponse.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(r.stdout(), b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("`vxmesh members -o json` on " + host.name() + " printed no ListMembers JSON: "
          + e.getMessage() + ": " + r.stdout().strip());
    }
    return b.build();
  }

  /**
   * What {@code vxmesh keyring list} shows, asked over the API socket from this JVM (the socket
   * is a file; no CLI JVM per poll, which matters on a loaded box).
   */
  public KeyringResponse keyring() {
    return api(Request.newBuilder().setKeyring(KeyringRequest.getDefaultInstance()).build(), Response.KindCase.KEYRING)
        .getKeyring();
  }

  /** What {@code vxmesh status} shows, asked over the API socket from this JVM. */
  public StatusResponse status() {
    return api(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build(), Response.KindCase.STATUS)
        .getStatus();
  }

  /** What {@code vxmesh members} shows, asked over the API socket from this JVM. */
  public ListMembersResponse membersViaApi() {
    return api(Request.newBuilder().setListMembers(ListMembersRequest.getDefaultInstance()).build(),
        Response.KindCase.LIST_MEMBERS).getListMembers();
  }

  private Response api(Request request, Response.KindCase kind) {
    try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(10))) {
      return c.expect(request, kind);
    } catch (ApiException e) {
      throw new IllegalStateException("agent " + host.name() + " API: " + e.getMessage(), e);
    }
  }

  /** {@code vxmesh leave --socket <socket>} in the host's namespace. */
  public ExecResult leave() {
    return cli(Duration.ofSeconds(20), "leave", "--socket", socket.toString());
  }

  /** Kills the agent (SIGKILL) if it runs. */
  @Override
  public void close() {
    kill();
  }

  private Process requireProcess() {
    return Optional.ofNullable(process)
        .orElseThrow(() -> new IllegalStateException("agent " + host.name() + " was never started"));
  }

  private void signal(String sig) {
    Process p = requireProcess();
    if (!p.isAlive()) {
      throw new IllegalStateException("agent " + host.name() + " pid=" + p.pid() + " is not running; cannot send SIG" + sig);
    }
    Exec.run(Duration.ofSeconds(5), List.of("kill", "-" + sig, Long.toString(p.pid()))).orThrow();
  }
}
