package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.LeaveRequest;
import io.vxmesh.proto.LeaveResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code vxmesh leave}: the agent announces departure, removes its peer entries and exits 0. Root only. */
@Command(name = "leave", description = "Leave the mesh and remove this host's peer entries (root only).")
public final class LeaveCommand extends ClientCommand {
  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    Response r = api.expect(Request.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build(), Response.KindCase.LEAVE);
    LeaveResponse leave = r.getLeave();
    String msg = leave.getMessage().isEmpty() ? (leave.getOk() ? "left the mesh" : "leave failed") : leave.getMessage();
    if (leave.getOk()) {
      out.println(msg);
      return 0;
    }
    spec.commandLine().getErr().println("vxmesh: " + msg);
    return 1;
  }
}
