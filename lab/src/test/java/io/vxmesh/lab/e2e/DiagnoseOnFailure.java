package io.vxmesh.lab.e2e;

import io.vxmesh.lab.testbed.Testbed;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints the testbed's diagnostics (every agent's log, every host's links, neighbours, FDB,
 * routes) when a test or a setup method fails, before any cleanup removes them. The test class
 * implements {@link Source}.
 */
final class DiagnoseOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  /** Implemented by test classes: the testbed to diagnose, or null when none is up. */
  interface Source {
    Testbed testbed();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    dump(ctx, t);
    throw t;
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    dump(ctx, t);
    throw t;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    dump(ctx, t);
    throw t;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    dump(ctx, t);
    throw t;
  }

  private static void dump(ExtensionContext ctx, Throwable t) {
    Optional<Object> instance = ctx.getTestInstance();
    if (instance.isPresent() && instance.get() instanceof Source s && s.testbed() != null) {
      try {
        System.err.println("FAILED " + ctx.getDisplayName() + ": " + t);
        System.err.println(s.testbed().diagnostics());
      } catch (RuntimeException e) {
        System.err.println("(diagnostics failed: " + e + ")");
      }
    }
  }
}
