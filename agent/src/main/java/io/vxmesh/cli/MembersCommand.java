package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.ListMembersRequest;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code vxmesh members}: one row per member sorted by name, in the manner of
 * {@code consul members}; a member with several networks gets one extra row per network.
 * Exit 2 when no member matches (scripts can test for presence). Last Seen is the age of the
 * agent's last contact with the member (0s while it is reachable; empty for self).
 */
@Command(name = "members", description = "List mesh members.")
public final class MembersCommand extends ClientCommand {
  static final int NO_MATCH = 2;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = "--detailed", description = "Add reason, version and generation columns.")
  boolean detailed;

  @Option(names = "--status", paramLabel = "REGEX", description = "Only members whose status matches (e.g. 'alive|suspect').")
  String status;

  @Option(names = "--name", paramLabel = "REGEX", description = "Only members whose node name matches (whole name, e.g. 'worker.*').")
  String name;

  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    Pattern filter = filter("--status", status);
    Pattern names = filter("--name", name);
    long now = System.currentTimeMillis();
    Response r = api.expect(Request.newBuilder().setListMembers(ListMembersRequest.getDefaultInstance()).build(),
        Response.KindCase.LIST_MEMBERS);
    List<Member> members = r.getListMembers().getMembersList().stream()
        .filter(m -> filter == null || filter.matcher(m.getStatus()).matches())
        .filter(m -> names == null || names.matcher(m.getName()).matches())
        .sorted(Comparator.comparing(Member::getName))
        .toList();
    if (output == OutputFormat.json) {
      printJson(out, ListMembersResponse.newBuilder().addAllMembers(members));
    } else if (!members.isEmpty()) {
      table(members, now).print(out);
    }
    return members.isEmpty() ? NO_MATCH : 0;
  }

  private Pattern filter(String option, String regex) {
    if (regex == null) {
      return null;
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new ParameterException(spec.commandLine(), option + ": not a regular expression: " + e.getDescription());
    }
  }

  /** Age as an operator reads it: 3s, 5m, 2h, 4d (rounded down); "" when unknown. */
  static String age(long lastSeenUnixMs, long nowMs) {
    if (lastSeenUnixMs == 0) {
      return "";
    }
    long s = Math.max(0, nowMs - lastSeenUnixMs) / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    if (s < 48 * 3600) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }

  private Table table(List<Member> members, long now) {
    Table t = detailed
        ? new Table("Node", "Address", "Status", "Last Seen", "VNI", "VTEP MAC", "VTEP IP", "Pod CIDR", "Reason", "Version", "Generation")
        : new Table("Node", "Address", "Status", "Last Seen", "VNI", "VTEP MAC", "VTEP IP", "Pod CIDR");
    for (Member m : members) {
      String address = m.getAddress().isEmpty() ? m.getHostIp() : m.getAddress();
      String name = m.getSelf() ? m.getName() + " (self)" : m.getName();
      String seen = m.getSelf() ? "" : age(m.getLastSeenUnixMs(), now);
      List<MemberNetwork> nets = m.getNetworksList().isEmpty() ? List.of(MemberNetwork.getDefaultInstance()) : m.getNetworksList();
      boolean first = true;
      for (MemberNetwork n : nets) {
        String vni = n.getVni() == 0 ? "" : Integer.toUnsignedString(n.getVni());
        if (detailed) {
          t.row(first ? name : "", first ? address : "", first ? m.getStatus() : "", first ? seen : "", vni, n.getVtepMac(), n.getVtepIp(), n.getPodCidr(),
              first ? m.getReason() : "", first ? m.getVersion() : "", first ? Long.toUnsignedString(m.getGeneration()) : "");
        } else {
          t.row(first ? name : "", first ? address : "", first ? m.getStatus() : "", first ? seen : "", vni, n.getVtepMac(), n.getVtepIp(), n.getPodCidr());
        }
        first = false;
      }
    }
    return t;
  }
}
