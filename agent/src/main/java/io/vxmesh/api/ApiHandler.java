package io.vxmesh.api;

import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;

/**
 * Answers local API requests; the Agent implements it. Called on the server's connection
 * threads, possibly several at once, so implementations must be thread-safe and should answer
 * from state they already hold (a snapshot), not block on the reconciler. A RuntimeException
 * becomes an Error response; the connection stays open.
 *
 * <p>Leave requests, and LogLevel requests that set a level, reach the handler only from uid 0:
 * {@link ApiServer} refuses others.
 */
@FunctionalInterface
public interface ApiHandler {
  Response handle(Request request, Caller caller);
}
