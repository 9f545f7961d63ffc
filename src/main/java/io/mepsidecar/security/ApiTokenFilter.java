package io.mepsidecar.security;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.error.HttpErrors;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * With {@code mep.api-token} set, every request to the API port must carry {@code Authorization: Bearer <token>};
 * any other gets a 401 problem before anything else looks at it. The management port (health, metrics) has its own
 * router and is not filtered: probes and scrapes carry no token.
 */
@ApplicationScoped
public class ApiTokenFilter {

    private static final Logger LOG = Logger.getLogger(ApiTokenFilter.class);
    /** Above {@link HttpErrors}' checks: a caller without the token learns nothing about the request's shape. */
    private static final int PRIORITY = 20_000;

    @Inject
    SidecarConfig config;

    private byte[] expected;

    void filters(@Observes Filters filters) {
        String token = Tokens.configured(config.apiToken()).orElse(null);
        if (token == null) {
            LOG.info("mep.api-token is not set: any process in the pod may call the sidecar's API"
                    + " (docs/security.md)");
            return;
        }
        expected = Tokens.digest(token);
        filters.register(this::check, PRIORITY);
    }

    private void check(RoutingContext context) {
        String presented = Tokens.parseBearer(context.request().getHeader(Tokens.HEADER));
        if (Tokens.matches(expected, presented)) {
            context.next();
            return;
        }
        context.response().putHeader("WWW-Authenticate", "Bearer realm=\"mep-sidecar\"");
        HttpErrors.send(context, Problem.of(ProblemType.UNAUTHORIZED, presented == null
                ? "the sidecar's API needs 'Authorization: Bearer <token>' with the pod's MEP_API_TOKEN"
                : "the bearer token is not this sidecar's MEP_API_TOKEN", null));
    }
}
