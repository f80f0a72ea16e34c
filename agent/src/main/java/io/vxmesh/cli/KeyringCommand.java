package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.KeyringKey;
import io.vxmesh.proto.KeyringRequest;
import io.vxmesh.proto.KeyringResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh keyring list}: the cluster keys the running agent holds, by fingerprint, which
 * one signs, and how many peers sign with each, so an operator rotating the key knows when the
 * old one is unused everywhere and can be removed. Keys change by editing the key file and
 * reloading ({@code systemctl reload vxmesh}), like {@code consul keyring} with files.
 */
@Command(name = "keyring",
    description = {
        "Show the cluster keys the agent holds (key rotation).",
        "Keys live in [gossip] key_file, one per line, the first signs, all are accepted; edit it and run "
            + "`systemctl reload vxmesh` (SIGHUP) to apply. See README, \"Rotating the cluster key\"."},
    subcommands = {KeyringCommand.List.class})
public final class KeyringCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw VxmeshCommand.missingCommand(spec);
  }

  /** {@code vxmesh keyring list}. */
  @Command(name = "list", description = {
      "List the accepted keys by fingerprint: which one this agent signs with (primary) and how many peers "
          + "currently sign with each. An old key is safe to remove once no agent signs with it: 0 peers here on every host."})
  public static final class List extends ClientCommand {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Override
    int run(ApiClient api, PrintWriter out) throws ApiException {
      KeyringResponse k = api.expect(Request.newBuilder().setKeyring(KeyringRequest.getDefaultInstance()).build(),
          Response.KindCase.KEYRING).getKeyring();
      if (output == OutputFormat.json) {
        printJson(out, k);
        return 0;
      }
      Table t = new Table("Fingerprint", "Use", "Peers");
      for (KeyringKey key : k.getKeysList()) {
        t.row(key.getFingerprint(), key.getPrimary() ? "primary" : "accepted", key.getPeers() + "/" + k.getPeers());
      }
      t.print(out);
      if (k.getUnverified() > 0) {
        out.println(k.getUnverified() + " of " + k.getPeers() + " peers announce under none of these keys (a key this agent does not hold?)");
      }
      return 0;
    }
  }
}
