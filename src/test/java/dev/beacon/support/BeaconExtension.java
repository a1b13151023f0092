package dev.beacon.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives an integration test class a running {@link TestApp} over the run's one migrated PostgreSQL
 * ({@link TestDatabase}), with every table emptied before each test. Inject it as a parameter.
 */
public final class BeaconExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BeaconExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("app", TestApp.start());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    app(context).reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestApp app = context.getStore(NS).remove("app", TestApp.class);
    if (app != null) {
      app.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestApp.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return app(e);
  }

  private static TestApp app(ExtensionContext context) {
    ExtensionContext c = context;
    while (c != null) {
      TestApp app = c.getStore(NS).get("app", TestApp.class);
      if (app != null) {
        return app;
      }
      c = c.getParent().orElse(null);
    }
    throw new IllegalStateException("BeaconExtension has no app for " + context.getDisplayName());
  }
}
