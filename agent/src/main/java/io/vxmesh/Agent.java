package io.vxmesh;

import io.vxmesh.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stub of the composition root so the CLI branch compiles; the lead's Agent replaces it. */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private Agent() {}

  /** Runs the daemon until stopped; returns the process exit code. */
  public static int run(Config config) {
    LOG.error("agent not implemented in this build node={} config={}", config.nodeName(), config.file());
    return 1;
  }
}
