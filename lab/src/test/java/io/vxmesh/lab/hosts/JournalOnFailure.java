package io.vxmesh.lab.hosts;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** When a step fails, prints what an operator would look at: unit status and journal of every host. */
final class JournalOnFailure implements TestWatcher {
  static volatile SystemdHosts mesh;

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    SystemdHosts m = mesh;
    if (m == null) {
      return;
    }
    System.out.println("=== " + context.getDisplayName() + " failed: " + cause);
    for (var h : m.hosts()) {
      try {
        System.out.println("--- " + h + ": systemctl status vxmesh");
        System.out.println(h.exec("systemctl", "status", "--no-pager", "-l", "vxmesh").out());
        System.out.println("--- " + h + ": journalctl -u vxmesh (last 60)");
        System.out.println(h.exec("journalctl", "-u", "vxmesh", "--no-pager", "-n", "60").out());
      } catch (RuntimeException e) {
        System.out.println("(cannot read " + h + ": " + e.getMessage() + ")");
        System.out.println(SystemdHosts.tail(h.log));
      }
    }
  }
}
