package io.vxmesh.config;

import java.nio.file.Path;

/** The {@code [api]} table. @param socket the unix socket path (default /run/vxmesh/vxmesh.sock) */
public record ApiConfig(Path socket) {
  public static final Path DEFAULT_SOCKET = Path.of("/run/vxmesh/vxmesh.sock");
}
