package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.ForceLeaveRequest;
import io.vxmesh.proto.ForceLeaveResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vxmesh force-leave NODE [--prune]}: the local agent forgets a dead member now rather
 * than after {@code reap_failed_after_s}, like {@code consul force-leave}. Local view only. Root only.
 */
@Command(name = "force-leave",
    description = {
        "Forget a failed or left member now, in this agent's view only (root only).",
        "A FAILED or LEAVING member is removed from `vxmesh members` at once instead of after "
            + "[gossip] reap_failed_after_s. Other agents keep listing it until their own reap time or their own force-leave. "
            + "A member this agent can reach is always refused (it would reappear at once: run `vxmesh leave` on it). "
            + "The member is listed again if it becomes reachable. Exit 1 when refused."})
public final class ForceLeaveCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "NODE", description = "Node name as `vxmesh members` shows it.")
  String node;

  @Option(names = "--prune", description = "Also forget a member that is unreachable (suspect) but not yet declared failed.")
  boolean prune;

  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    Response r = api.expect(Request.newBuilder().setForceLeave(ForceLeaveRequest.newBuilder().setNode(node).setPrune(prune)).build(),
        Response.KindCase.FORCE_LEAVE);
    ForceLeaveResponse fl = r.getForceLeave();
    if (fl.getOk()) {
      out.println(fl.getMessage());
      return 0;
    }
    spec.commandLine().getErr().println("vxmesh: " + fl.getMessage());
    return 1;
  }
}
