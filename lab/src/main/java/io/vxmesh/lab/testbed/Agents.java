package io.vxmesh.lab.testbed;

import io.vxmesh.gossip.ClusterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxmesh agents of one {@link Testbed}: what each host's agent is started with (the shared
 * cluster key, a {@link AgentToml} written to {@code <dir>/<host>.toml}, its API socket
 * {@code <dir>/<host>.sock}, its log {@code <dir>/<host>.log}), starting them, and finding the
 * latest one of a host. Stopping, killing, freezing or restarting one agent is on its
 * {@link AgentProcess}.
 *
 * <p>Owns every agent it started; {@link Testbed#close()} has it kill them all
 * ({@link #killAll()}), also when the JVM shuts down. Thread-safe: the list of agents is
 * copy-on-write.
 */
public final class Agents {
  private static final Logger log = LoggerFactory.getLogger(Agents.class);

  private final Topology topology;
  private final Overlay overlay;
  private final Path dir;
  private final Path keyFile;
  private final Runnable requireOpen;
  private final List<AgentProcess> agents = new CopyOnWriteArrayList<>();

  /** Writes the shared cluster key into {@code dir}. */
  Agents(Topology topology, Overlay overlay, Path dir, Runnable requireOpen) {
    this.topology = topology;
    this.overlay = overlay;
    this.dir = dir;
    this.requireOpen = requireOpen;
    this.keyFile = newKeyFile("cluster.key");
  }

  /** The cluster key every agent of this testbed shares by default. */
  public Path keyFile() {
    return keyFile;
  }

  /** A further cluster key file (e.g. for the wrong-key test), in the testbed directory. */
  public Path newKeyFile(String name) {
    Path file = dir.resolve(name);
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, ClusterKey.generate().toBase64() + "\n", StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The host's API socket path: {@code <dir>/<name>.sock}. */
  public Path socket(Host host) {
    return dir.resolve(host.name() + ".sock");
  }

  /**
   * The default configuration of {@code host}: the seed's addresses, the shared key, joining
   * host 0 (host 0 itself starts the mesh). Its {@code subnet.env} goes to
   * {@code <dir>/<name>.subnet.env}: every host namespace shares this machine's /run, and a test
   * agent must not overwrite the real agent's /run/vxmesh/subnet.env.
   */
  public AgentToml toml(Host host) {
    return AgentToml.forHost(host, overlay, List.of(topology.host(0)), keyFile, socket(host))
        .with("cni.subnet_env", dir.resolve(host.name() + ".subnet.env").toString());
  }

  /** Writes {@link #toml(Host)} and starts the agent. */
  public AgentProcess start(Host host) {
    return start(host, toml(host));
  }

  /** Writes {@code config} to {@code <dir>/<name>.toml} and starts the agent with it. */
  public AgentProcess start(Host host, AgentToml config) {
    Path file = config.write(dir.resolve(host.name() + ".toml"));
    return start(host, file, config.socket(), AgentProcess.TEST_JVM_ARGS);
  }

  /**
   * Starts {@code vxmesh agent --config <configFile>} in the host (any file, e.g. a broken one)
   * with {@code jvmArgs}; the agent is killed by {@link Testbed#close()}.
   */
  public AgentProcess start(Host host, Path configFile, Path socket, List<String> jvmArgs) {
    return start(host, configFile, socket, jvmArgs, java.util.Map.of());
  }

  /** {@link #start(Host, Path, Path, List)} with extra environment variables for the agent. */
  public AgentProcess start(Host host, Path configFile, Path socket, List<String> jvmArgs, java.util.Map<String, String> env) {
    requireOpen.run();
    AgentProcess a = new AgentProcess(host, configFile, socket, dir.resolve(host.name() + ".log"),
        AgentProcess.locateJar(), jvmArgs);
    env.forEach(a::environment);
    agents.add(a);
    return a.start();
  }

  /** Writes {@code config} and starts the agent with extra environment variables (e.g. {@code STATE_DIRECTORY}). */
  public AgentProcess start(Host host, AgentToml config, java.util.Map<String, String> env) {
    Path file = config.write(dir.resolve(host.name() + ".toml"));
    return start(host, file, config.socket(), AgentProcess.TEST_JVM_ARGS, env);
  }

  /** This run's directory for agents' files (configs, logs, state directories). */
  public Path dir() {
    return dir;
  }

  /** Every agent started through this testbed, oldest first. */
  public List<AgentProcess> all() {
    return List.copyOf(agents);
  }

  /** The most recently started agent of {@code host}; throws when none was started there. */
  public AgentProcess of(Host host) {
    AgentProcess a = latest(host);
    if (a == null) {
      throw new IllegalArgumentException("no agent was started on " + host.name());
    }
    return a;
  }

  /** The most recently started agent of {@code host}, or null. */
  AgentProcess latest(Host host) {
    List<AgentProcess> all = List.copyOf(agents);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).host().equals(host)) {
        return all.get(i);
      }
    }
    return null;
  }

  /** SIGKILLs every agent started here; logs what could not be killed and goes on. */
  void killAll() {
    for (AgentProcess a : agents) {
      try {
        a.kill();
      } catch (RuntimeException e) {
        log.warn("testbed cannot kill agent host={} reason={}", a.host().name(), e.getMessage());
      }
    }
  }
}
