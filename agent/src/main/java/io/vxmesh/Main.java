package io.vxmesh;

import io.vxmesh.cli.VxmeshCommand;

/** Entry point of {@code vxmesh.jar}: the daemon ({@code vxmesh agent}) and the CLI. */
public final class Main {
  static final String HOSTS_FILE = "jdk.net.hosts.file";

  private Main() {}

  public static void main(String[] args) {
    // Name lookups from /etc/hosts only, never DNS. Atomix's messaging does a reverse lookup
    // (InetAddress.getHostName) of the sender of every inbound connection on its event loop;
    // with a slow or unreachable DNS server each costs up to 10 s, probes time out and the mesh
    // never forms (seen on systemd hosts whose resolver was unreachable). vxmesh itself only
    // uses address literals. Must be set before InetAddress is first used; an explicit
    // -Djdk.net.hosts.file wins.
    if (System.getProperty(HOSTS_FILE) == null) {
      System.setProperty(HOSTS_FILE, "/etc/hosts");
    }
    if (System.getenv("JOURNAL_STREAM") != null) {
      // journald timestamps every line; ours would be noise. Read by logback.xml.
      System.setProperty("vxmesh.log.pattern", "%-5level %logger{0}: %msg%n");
    }
    System.exit(VxmeshCommand.execute(args));
  }
}
