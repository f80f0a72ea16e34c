package io.vxmesh;

import io.vxmesh.cli.VxmeshCommand;
import io.vxmesh.systemd.JournalStream;

/** Entry point of {@code vxmesh.jar}: the daemon ({@code vxmesh agent}) and the CLI. */
public final class Main {
  static final String HOSTS_FILE = "jdk.net.hosts.file";

  private Main() {}

  public static void main(String[] args) {
    prepare();
    System.exit(VxmeshCommand.execute(args));
  }

  /**
   * JVM-wide settings every vxmesh process needs before anything else runs: name lookups and
   * journald logging. Public for the lab's entry point, which runs agents' parts in-process.
   */
  public static void prepare() {
    // Name lookups from /etc/hosts only, never DNS. Atomix's messaging does a reverse lookup
    // (InetAddress.getHostName) of the sender of every inbound connection on its event loop;
    // with a slow or unreachable DNS server each costs up to 10 s, probes time out and the mesh
    // never forms (seen on systemd hosts whose resolver was unreachable). vxmesh itself only
    // uses address literals. Must be set before InetAddress is first used; an explicit
    // -Djdk.net.hosts.file wins.
    if (System.getProperty(HOSTS_FILE) == null) {
      System.setProperty(HOSTS_FILE, "/etc/hosts");
    }
    // Before the first logger exists: logback.xml reads these properties when it starts.
    if (JournalStream.connected(1)) {
      // journald timestamps every line; ours would be noise. Each line gets its priority.
      System.setProperty("vxmesh.log.pattern", "%-5level %logger{0}: %kvmsg%n");
      System.setProperty("vxmesh.log.journal", "true");
    }
    if (JournalStream.connected(2)) {
      System.setErr(JournalStream.errorStderr());
    }
  }
}
