package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.NetworkStatus;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.StatusRequest;
import io.vxmesh.proto.StatusResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vxmesh status}: this agent, its networks, member counts, the last reconcile pass. */
@Command(name = "status", description = "Show the agent's status.")
public final class StatusCommand extends ClientCommand {
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    StatusResponse s = api.expect(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build(),
        Response.KindCase.STATUS).getStatus();
    if (output == OutputFormat.json) {
      printJson(out, s);
      return 0;
    }
    out.println("Node:       " + s.getNodeName() + " (" + s.getHostIp() + ")");
    out.println("Version:    " + s.getVersion());
    out.println("Uptime:     " + human(Duration.ofMillis(s.getUptimeMs())));
    out.println("Ready:      " + (s.getReady() ? "yes" : "no (waiting for the first complete view)"));
    out.println("Members:    " + (s.getMemberCountsList().isEmpty() ? "none"
        : s.getMemberCountsList().stream().map(c -> c.getStatus() + "=" + c.getCount()).collect(Collectors.joining(" "))));
    out.println("Reconcile:  " + reconcile(s));
    out.println("Rejected:   gossip=" + s.getGossipRejected() + " announcements=" + s.getAnnouncementsRejected()
        + s.getRejectedSourcesList().stream().map(r -> " " + r.getSource() + "=" + r.getCount()).collect(Collectors.joining()));
    out.println("VXLAN:      " + vxlanFilter(s));
    if (!s.getNetworksList().isEmpty()) {
      out.println();
      Table t = new Table("Device", "VNI", "Port", "VTEP MAC", "VTEP IP", "Pod CIDR", "MTU", "Up", "Peers");
      for (NetworkStatus n : s.getNetworksList()) {
        t.row(n.getDevice(), Integer.toUnsignedString(n.getVni()), n.getPort(), n.getVtepMac(), n.getVtepIp(), n.getPodCidr(),
            n.getMtu(), n.getDeviceUp() ? "yes" : "no", n.getPeersInstalled() + "/" + n.getPeersDesired());
      }
      t.print(out);
    }
    if (!s.getRecentErrorsList().isEmpty()) {
      out.println();
      out.println("Recent errors:");
      s.getRecentErrorsList().forEach(e -> out.println("  " + e));
    }
    return 0;
  }

  /** {@code only from members (ip vxmesh, 3 members, port 4789): dropped 10 packets (1340 bytes)}. */
  private static String vxlanFilter(StatusResponse s) {
    var f = s.getVxlanFilter();
    if (!f.getEnabled()) {
      return "from anyone (filter disabled: [agent] vxlan_filter = false)";
    }
    String ports = f.getPortsList().stream().map(String::valueOf).collect(Collectors.joining(","));
    return "only from members (" + f.getTable() + ", " + f.getMembers() + " members, port " + ports + "): dropped "
        + f.getDroppedPackets() + " packets (" + f.getDroppedBytes() + " bytes)"
        + (f.getError().isEmpty() ? "" : "; " + f.getError());
  }

  private static String reconcile(StatusResponse s) {
    if (s.getLastReconcileUnixMs() == 0) {
      return "not yet";
    }
    long ago = Math.max(0, System.currentTimeMillis() - s.getLastReconcileUnixMs());
    return (s.getLastReconcileResult().isEmpty() ? "?" : s.getLastReconcileResult())
        + ", " + human(Duration.ofMillis(ago)) + " ago, took " + String.format("%.1f ms", s.getLastReconcileDurationUs() / 1000.0)
        + ", " + s.getReconcilePasses() + " passes";
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + s % 60 + "s";
    }
    if (s < 86400) {
      return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
    return s / 86400 + "d" + (s % 86400) / 3600 + "h";
  }
}
