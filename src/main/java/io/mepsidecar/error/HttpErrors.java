package io.mepsidecar.error;

import io.mepsidecar.contract.MediaTypes;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Problem responses for what never reaches a resource method: every response of the API port is
 * {@code application/problem+json} when it is an error. A filter in front of the resources checks the request line,
 * the header block, the query and the {@code Content-Type}; unknown paths and failures of the HTTP layer are
 * answered here too. (The HTTP codec's own limits are set far above these, in application.properties, so that the
 * codec's bare 414/431 is only ever seen beyond them.)
 */
@ApplicationScoped
public class HttpErrors {

    private static final Logger LOG = Logger.getLogger(HttpErrors.class);
    /** Longest request URI answered; longer ones get a 414 problem. */
    static final int MAX_URI_LENGTH = 4096;
    /** Largest header block (names and values) answered; larger ones get a 431 problem. */
    static final int MAX_HEADER_BYTES = 20 * 1024;
    /** Most header fields answered; more get a 431 problem. */
    static final int MAX_HEADER_COUNT = 100;
    private static final int FILTER_PRIORITY = 10_000;
    /** After every filter (their routes have negative orders), before the resources. */
    private static final int CHUNKED_BODY_ORDER = -1;

    /** Follows {@code kafka.max.request.size} (application.properties): a body the producer cannot publish. */
    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "1048576")
    MemorySize maxBodySize;

    void filters(@Observes Filters filters) {
        filters.register(this::check, FILTER_PRIORITY);
    }

    void routes(@Observes Router router) {
        router.errorHandler(404, context -> send(context, Problem.of(ProblemType.NOT_FOUND,
                "no resource of the sidecar's API at this path; the API is /v1/invoke/{operation} and"
                        + " /v1/replies/{id}", null)));
        // Statuses the router itself answers when it fails before any route runs (e.g. a query it cannot decode)
        for (int status : new int[] {400, 405, 413, 414, 431, 500}) {
            router.errorHandler(status, this::failed);
        }
        router.route().failureHandler(this::failed);
        router.route().order(CHUNKED_BODY_ORDER).handler(this::readChunkedBody);
    }

    /**
     * Reads a chunked body (one without {@code Content-Length}) up to the limit, as bytes, before the REST layer
     * sees it (which then takes the body as read); past the limit the request fails with 413, answered as a problem
     * by {@link #failed}. A body with {@code Content-Length} is left to the REST layer: {@link #check} refused it
     * already if it is too large. (Vert.x's BodyHandler is not used: it parses form and multipart bodies instead of
     * keeping their bytes.)
     */
    private void readChunkedBody(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!request.headers().contains("Transfer-Encoding") || request.isEnded()) {
            context.next();
            return;
        }
        long limit = maxBodySize.asLongValue();
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                refused[0] = true;
                context.fail(413);
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(end -> {
            if (!refused[0]) {
                context.setBody(body);
                context.next();
            }
        });
        request.resume();
    }

    private void check(RoutingContext context) {
        String uri = context.request().uri();
        if (uri.length() > MAX_URI_LENGTH) {
            send(context, Problem.of(ProblemType.URI_TOO_LONG, "the request URI is longer than " + MAX_URI_LENGTH
                    + " characters", null));
            return;
        }
        if (headerBytes(context.request().headers()) > MAX_HEADER_BYTES) {
            send(context, Problem.of(ProblemType.HEADERS_TOO_LARGE, "the request headers are larger than "
                    + MAX_HEADER_BYTES + " bytes", null));
            return;
        }
        if (context.request().headers().size() > MAX_HEADER_COUNT) {
            send(context, Problem.of(ProblemType.HEADERS_TOO_LARGE, "the request has more than "
                    + MAX_HEADER_COUNT + " header fields", null));
            return;
        }
        if (!isValidUri(uri)) {
            send(context, Problem.of(ProblemType.BAD_REQUEST, "the request URI is not a valid URI (RFC 3986)",
                    null));
            return;
        }
        String query = context.request().query();
        if (query != null && !isDecodable(query)) {
            send(context, Problem.of(ProblemType.BAD_REQUEST, "the query string is not validly percent-encoded",
                    null));
            return;
        }
        if (declaredLength(context) > maxBodySize.asLongValue()) {
            context.response().putHeader("Connection", "close");
            send(context, Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than "
                    + maxBodySize.asLongValue() + " bytes, the most the Kafka producer publishes"
                    + " (kafka.max.request.size)", null));
            return;
        }
        String contentType = context.request().getHeader("Content-Type");
        if (contentType != null && !MediaTypes.isValid(contentType)) {
            send(context, Problem.of(ProblemType.BAD_REQUEST, "Content-Type is not a media type: write"
                    + " type/subtype with optional '; name=value' parameters, e.g. application/json", null));
            return;
        }
        context.next();
    }

    /** A failure of the HTTP layer (a status without a resource, or an exception outside any resource). */
    private void failed(RoutingContext context) {
        if (context.response().ended() || context.response().headWritten()) {
            return;
        }
        int status = context.statusCode() > 0 ? context.statusCode() : 500;
        if (status == 413) { // the rest of the body is not read: the connection cannot be used again
            context.response().putHeader("Connection", "close");
        }
        if (context.failure() != null && status == 500) {
            LOG.errorf(context.failure(), "request %s %s failed", context.request().method(),
                    context.normalizedPath());
        }
        send(context, ofStatus(status, context.failure()));
    }

    static Problem ofStatus(int status, Throwable failure) {
        Map<Integer, ProblemType> known = Map.of(400, ProblemType.BAD_REQUEST, 404, ProblemType.NOT_FOUND,
                405, ProblemType.METHOD_NOT_ALLOWED, 413, ProblemType.PAYLOAD_TOO_LARGE,
                414, ProblemType.URI_TOO_LONG, 431, ProblemType.HEADERS_TOO_LARGE);
        ProblemType type = known.get(status);
        if (type != null) {
            return Problem.of(type, type.title(), null);
        }
        if (status >= 500 || status < 400) {
            return Problem.of(ProblemType.INTERNAL, "the request could not be handled", null);
        }
        return Problem.ofStatus(status, HttpResponseStatus.valueOf(status).reasonPhrase());
    }

    /** The methods the API serves at a path, for the {@code Allow} header of a 405. */
    static String allowedMethods(String path) {
        return path.startsWith("/v1/invoke/") ? "POST" : "GET, HEAD, PUT, DELETE";
    }

    /** Answers a problem from a filter or handler, unless a response is already on its way. */
    public static void send(RoutingContext context, Problem problem) {
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            return;
        }
        response.setStatusCode(problem.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        response.end(new String(problem.toJson(), StandardCharsets.UTF_8));
    }

    private static long declaredLength(RoutingContext context) {
        try {
            String length = context.request().getHeader("Content-Length");
            return length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP codec refuses it
        }
    }

    private static int headerBytes(MultiMap headers) {
        int bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private static boolean isValidUri(String uri) {
        try {
            new URI(uri);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isDecodable(String query) {
        try {
            new QueryStringDecoder(query, StandardCharsets.UTF_8, false).parameters();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
