package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.PeerRoutes;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.RouteObject;
import io.vxmesh.proto.RoutesRequest;
import io.vxmesh.proto.RoutesResponse;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vxmesh routes}: every desired datapath object per peer and network, and whether the kernel has it. */
@Command(name = "routes", description = "Show desired vs installed datapath objects.")
public final class RoutesCommand extends ClientCommand {
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    Response r = api.expect(Request.newBuilder().setRoutes(RoutesRequest.getDefaultInstance()).build(), Response.KindCase.ROUTES);
    List<PeerRoutes> peers = r.getRoutes().getPeersList().stream()
        .sorted(Comparator.comparing(PeerRoutes::getPeer).thenComparingInt(PeerRoutes::getVni))
        .toList();
    if (output == OutputFormat.json) {
      printJson(out, RoutesResponse.newBuilder().addAllPeers(peers));
      return 0;
    }
    if (peers.isEmpty()) {
      out.println("no peers: nothing to install");
      return 0;
    }
    Table t = new Table("Peer", "VNI", "Device", "Kind", "Object", "Installed");
    for (PeerRoutes p : peers) {
      for (RouteObject o : p.getObjectsList()) {
        t.row(p.getPeer(), Integer.toUnsignedString(p.getVni()), p.getDevice(), o.getKind(), o.getDescription(), o.getInstalled() ? "yes" : "no");
      }
    }
    t.print(out);
    return 0;
  }
}
