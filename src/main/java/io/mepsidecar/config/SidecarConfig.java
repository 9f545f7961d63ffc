package io.mepsidecar.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Per-pod settings. Every property can be set by environment variable: {@code mep.app-name} is
 * {@code MEP_APP_NAME}, {@code mep.caller.publish-timeout} is {@code MEP_CALLER_PUBLISH_TIMEOUT}. The README has the
 * full table.
 */
@ConfigMapping(prefix = "mep")
public interface SidecarConfig {

    /** Identity of the app: consumer group of the served operations, {@code ce_source}, reply topic name. */
    String appName();

    /** Identity of this replica; defaults to {@code HOSTNAME} (the pod name), else a random id. */
    Optional<String> instanceId();

    /** Path of the contract YAML file. */
    Path contract();

    /** Base URL of the local app that serves operations and receives callbacks. */
    @WithDefault("http://127.0.0.1:8080")
    URI appUrl();

    /** Operations this app implements, comma-separated; empty when the app only calls. */
    Optional<Set<String>> serves();

    /**
     * Path of the local app's health endpoint (e.g. {@code /q/health/ready}); when set, readiness is down while it
     * does not answer 2xx. Unset: the app is not checked.
     */
    Optional<String> appHealthPath();

    /**
     * Token every call to the sidecar's API must carry as {@code Authorization: Bearer <token>}; others get 401.
     * Unset: any process in the pod may call. Health and metrics on the management port never need it.
     */
    Optional<String> apiToken();

    /**
     * Token the sidecar sends as {@code Authorization: Bearer <token>} on every request it delivers to its app and
     * every callback, so the app can refuse what does not come from its sidecar. Unset: nothing is sent.
     */
    Optional<String> appToken();

    /**
     * Operations this app may call, comma-separated; a call to any other gets 403 and nothing is published. Unset:
     * every operation of the contract (a warning at start-up says so).
     */
    Optional<Set<String>> calls();

    Caller caller();

    Service service();

    Topics topics();

    State state();

    Health health();

    Shutdown shutdown();

    Debug debug();

    Tracing tracing();

    /** The sidecar's own spans (docs/protocol.md, "Trace context"); off unless an endpoint is set. */
    interface Tracing {

        /**
         * OTLP/HTTP (protobuf) traces endpoint, the full URL (e.g. {@code http://otel-collector:4318/v1/traces}).
         * Set: the sidecar makes a span per request it publishes and per request it serves, and exports them there.
         * Unset: no span is made and the W3C trace context is passed on unchanged.
         */
        Optional<URI> otlpEndpoint();

        /** Longest a finished span waits before it is exported (the batch span processor's schedule delay). */
        @WithDefault("1s")
        Duration exportDelay();
    }

    interface Debug {

        /**
         * Diagnostic for benchmarks: a synchronous call answered with its reply carries {@code Mep-Hops}, the
         * wall-clock times at which it passed each hand-off on this sidecar and on the serving one (which stamps any
         * request that asks with the {@code mep-hops} record header, whatever its own setting). Off, nothing is
         * added to records or responses.
         */
        @WithDefault("false")
        boolean hopTimestamps();

        /**
         * A record to a topic written to in the last 10 s, while the producer's buffer has room, is handed to the
         * producer on the calling thread (its send cannot block then), not through the send thread. {@code false}
         * sends every record through the send thread, as before this was measured to help (docs/benchmarks.md).
         */
        @WithDefault("true")
        boolean inlineSend();
    }

    interface Shutdown {

        /**
         * How long a stopping sidecar (SIGTERM) keeps answering: pending calls wait this long for their replies, and
         * requests at the app this long to finish, before the clients close. Also the longest a replica waits for
         * requests of partitions it gives up in a rebalance. Keep it below the pod's
         * {@code terminationGracePeriodSeconds}.
         */
        @WithDefault("20s")
        Duration grace();
    }

    interface State {

        /**
         * The app's state topic, shared by its replicas: accepted asynchronous calls and their results, idempotency
         * keys, deferred and published replies. Default {@code <app-name>.state}.
         */
        Optional<String> topic();

        /** Partitions of the state topic when the sidecar creates it. */
        @WithDefault("3")
        int partitions();

        /**
         * {@code retention.ms} of the state topic when the sidecar creates it ({@code cleanup.policy=compact,delete}):
         * an entry nobody removed is gone after this long. Keep it above every result TTL and operation timeout.
         */
        @WithDefault("1d")
        Duration retention();
    }

    interface Health {

        /** How often the broker connection and the app's health endpoint are checked. */
        @WithDefault("5s")
        Duration checkInterval();
    }

    interface Caller {

        /** Topic the replies for this app arrive on; default {@code <app-name>.replies}. */
        Optional<String> replyTopic();

        /** How long a publish may wait for the broker's acknowledgement before the call fails with 503. */
        @WithDefault("5s")
        Duration publishTimeout();

        /** Calls (sync and async) waiting for their reply at once; beyond it a call gets 429 and nothing is sent. */
        @WithDefault("1000")
        int maxInFlight();

        /** How long the result of an asynchronous call can be fetched after it completed. */
        @WithDefault("5m")
        Duration resultTtl();

        /** Results of asynchronous calls kept at once; when full, new asynchronous calls get 429. */
        @WithDefault("10000")
        int maxResults();

        /** Bytes of results (bodies and headers) kept at once; when full, new asynchronous calls get 429. */
        @WithDefault("64M")
        MemorySize maxResultsBytes();

        /** How long a completion callback is retried (with backoff) until the caller's app accepts it. */
        @WithDefault("30s")
        Duration callbackRetry();
    }

    interface Service {

        /**
         * How the replicas of the app share its requests: {@code share-group} (Kafka share groups, KIP-932: every
         * request acknowledged on its own), {@code consumer-group} (partitions assigned to replicas, offsets
         * committed), or {@code auto}: share groups when the cluster has them ({@code share.version} finalized),
         * else consumer groups. All replicas of an app must end up in the same mode.
         */
        @WithDefault("auto")
        Consumption consumption();

        /** Requests delivered to the app at once, over all served operations; beyond it, fetching pauses. */
        @WithDefault("16")
        int maxConcurrency();

        /**
         * How long a reply the app deferred (answered 202) can still be PUT after the call's deadline: 410 then,
         * 404 after.
         */
        @WithDefault("5m")
        Duration deferredReplyRetention();

        /** Deferred replies (the app answered 202) expected at once; when full, a request gets a 429 fault reply. */
        @WithDefault("10000")
        int maxDeferredReplies();

        /** Bytes of deferred replies expected at once (ids, reply addresses); when full, as above. */
        @WithDefault("16M")
        MemorySize maxDeferredBytes();

        /**
         * Published replies (and one-way messages taken) kept for their operation's timeout, so that a request
         * delivered again is answered with the same reply instead of being executed again; beyond it, not kept.
         */
        @WithDefault("10000")
        int maxKeptReplies();

        /** Bytes of published replies kept, as above. */
        @WithDefault("64M")
        MemorySize maxKeptRepliesBytes();

        /**
         * Topics a reply may be published to: a regular expression the whole name must match. A request asking
         * for another topic, or for a request or dead-letter topic of the contract, is dead-lettered.
         */
        @WithDefault("[a-zA-Z0-9._-]+[.]replies")
        String replyTopics();

        /**
         * Attempts to hand a one-way message to an app that takes it but does not answer in time (or breaks off),
         * before it is dead-lettered.
         */
        @WithDefault("5")
        int maxDeliveries();

        /** Per served operation settings, keyed by operation name. */
        Map<String, ServedOperation> operations();
    }

    /** The values of {@code mep.service.consumption}. */
    enum Consumption {
        AUTO, SHARE_GROUP, CONSUMER_GROUP
    }

    interface ServedOperation {

        /** Path on the app that receives the requests; default {@code /<operation>}. */
        Optional<String> path();
    }

    interface Topics {

        /** Create the reply topic and the served request topics at start-up when missing (broker defaults). */
        @WithDefault("true")
        boolean create();

        /**
         * Partitions of a reply topic this sidecar creates. Each caller replica reads only its own partitions: a
         * replica left without one (more replicas than partitions) adds one to the topic when {@code create} is true.
         */
        @WithDefault("4")
        int replyPartitions();
    }
}
