package io.mepsidecar.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * After the load stopped: waits, for at most a recovery window, until every accepted asynchronous call has its
 * result and every accepted one-way call ran at a serving app. A result counts when its completion callback came, or
 * when {@code GET /v1/replies/{id}} at a live caller replica answers it; each round asks the next replica, so over the
 * rounds every live replica is asked (any replica of the calling app is to answer, not only the one that accepted the
 * call). What is still missing when the window ends is lost.
 */
final class AcceptedCallsCheck {

    /** What became of the accepted calls of one scenario. */
    record Outcome(Map<String, Integer> asyncResults, Set<CallLedger.AcceptedCall> asyncLost,
            Set<CallLedger.AcceptedCall> oneWayLost) {
    }

    private final HttpClient http;
    private final FaultTopology topology;

    AcceptedCallsCheck(HttpClient http, FaultTopology topology) {
        this.http = http;
        this.topology = topology;
    }

    Outcome await(CallLedger ledger, Duration window) {
        Map<String, Integer> results = new HashMap<>();
        Set<CallLedger.AcceptedCall> asyncMissing = new HashSet<>(ledger.asyncCalls());
        Set<CallLedger.AcceptedCall> oneWayMissing = new HashSet<>(ledger.oneWayCalls());
        AtomicInteger round = new AtomicInteger();
        FaultTopology.within(window, "accepted calls answered or executed", () -> {
            collectResults(asyncMissing, results, round.getAndIncrement());
            Map<String, Integer> executions = topology.executionsByBody();
            oneWayMissing.removeIf(call -> executions.getOrDefault(call.token(), 0) > 0);
            return asyncMissing.isEmpty() && oneWayMissing.isEmpty();
        });
        return new Outcome(results, Set.copyOf(asyncMissing), Set.copyOf(oneWayMissing));
    }

    private void collectResults(Set<CallLedger.AcceptedCall> missing, Map<String, Integer> results, int round) {
        List<String> callers = topology.callerUrls();
        for (CallLedger.AcceptedCall call : List.copyOf(missing)) {
            OptionalInt status = call.answeredAtOnce() != 0 ? OptionalInt.of(call.answeredAtOnce())
                    : topology.callbacks().status(call.correlationId());
            if (status.isEmpty() && !callers.isEmpty()) {
                status = fetch(callers.get(Math.floorMod(round + call.hashCode(), callers.size())),
                        call.correlationId());
            }
            if (status.isPresent()) {
                results.put(call.correlationId(), status.getAsInt());
                missing.remove(call);
            }
        }
    }

    /** The result's status at this replica; empty while pending (202) or unknown there (404 unknown-reply). */
    private OptionalInt fetch(String caller, String correlationId) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(caller + "/v1/replies/" + correlationId)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            boolean unknown = status == 404 && response.body().contains("unknown-reply");
            return status == 202 || unknown ? OptionalInt.empty() : OptionalInt.of(status);
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Lost calls whose replies are looked for on the reply topic (each look reads the whole topic). */
    private static final int REPLIES_LOOKED_UP = 10;

    /**
     * "caller-a×12, caller-b×3; 15 of them ran at a serving app; of the first 10, 10 have a reply on the reply topic
     * (addressed to [caller-b]); e.g. 4982c143-..., ...": which replica accepted the lost calls, how many of them were
     * executed, whether their reply was published (then the loss is on the caller side), and a few correlation ids
     * to look up in the sidecar logs.
     */
    static String describe(Set<CallLedger.AcceptedCall> calls, FaultTopology topology,
            Map<String, Integer> executions) {
        if (calls.isEmpty()) {
            return "";
        }
        String byReplica = calls.stream().collect(Collectors.groupingBy(c -> topology.callerInstanceAt(c.acceptedBy()),
                TreeMap::new, Collectors.counting())).entrySet().stream()
                .map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(", "));
        long ran = calls.stream().filter(c -> executions.getOrDefault(c.token(), 0) > 0).count();
        List<String> ids = calls.stream().map(CallLedger.AcceptedCall::correlationId).sorted()
                .collect(Collectors.toList());
        List<String> looked = ids.subList(0, Math.min(REPLIES_LOOKED_UP, ids.size()));
        Set<String> addressedTo = new TreeSet<>();
        long replied = 0;
        ReplyTopic replyTopic = topology.replyTopic();
        for (String id : looked) {
            List<String> replies = replyTopic.repliesTo(id);
            replied += replies.isEmpty() ? 0 : 1;
            addressedTo.addAll(replies);
        }
        return byReplica + "; " + ran + " of them ran at a serving app; of the first " + looked.size() + ", "
                + replied + " have a reply on " + replyTopic.topic()
                + (addressedTo.isEmpty() ? "" : " (addressed to " + String.join(", ", addressedTo) + ")")
                + "; e.g. " + String.join(", ", ids.subList(0, Math.min(3, ids.size())));
    }
}
