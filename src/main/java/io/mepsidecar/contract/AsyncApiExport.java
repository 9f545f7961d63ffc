package io.mepsidecar.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a contract as an AsyncAPI 3.0.0 document that {@link AsyncApiContract} reads back into the same
 * operations. Per operation: a channel whose address is its request topic, an operation with {@code action: send}
 * (the caller's view), and for request-reply a reply whose address is dynamic: the topic named by the request's
 * reply-topic header of the operation's dialect, on a channel with {@code address: null}. Each message carries
 * its correlation id in the dialect's correlation header. Timeout, expiry, dead-letter topic and dialect travel as
 * {@code x-mep-*} extensions of the operation.
 */
public final class AsyncApiExport {

    /** The AsyncAPI version written. */
    public static final String ASYNCAPI_VERSION = "3.0.0";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AsyncApiExport() {
    }

    /** The document as YAML text. */
    public static String toYaml(Contract contract, String title) {
        try {
            return YAML.writeValueAsString(toDocument(contract, title));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document as a tree. */
    public static ObjectNode toDocument(Contract contract, String title) {
        ObjectNode root = NODES.objectNode();
        root.put("asyncapi", ASYNCAPI_VERSION);
        ObjectNode info = root.putObject("info");
        info.put("title", title);
        info.put("version", "1.0.0");
        info.put("description", "The operations of a mep-sidecar contract, each seen from its caller: requests"
                + " are sent to the operation's channel; the reply of a request-reply operation goes to the topic"
                + " the request names in its reply-topic header.");
        ObjectNode channels = root.putObject("channels");
        ObjectNode operations = root.putObject("operations");
        ObjectNode messages = NODES.objectNode();
        Set<String> channelNames = new HashSet<>();
        contract.operations().forEach(op -> channelNames.add(op.name()));
        for (Operation op : contract.operations()) {
            String requestMessage = op.name() + ".request";
            messages.set(requestMessage, message(op, op.name() + " request"));
            ObjectNode channel = channels.putObject(op.name());
            channel.put("address", op.topic());
            channel.putObject("messages").set(requestMessage, ref("#/components/messages/" + requestMessage));

            ObjectNode operation = operations.putObject(op.name());
            operation.put("action", "send");
            operation.set("channel", ref("#/channels/" + op.name()));
            operation.putArray("messages").add(ref("#/channels/" + op.name() + "/messages/" + requestMessage));
            if (op.expectsReply()) {
                String replyChannelName = replyChannelName(op.name(), channelNames);
                String replyMessage = op.name() + ".reply";
                messages.set(replyMessage, message(op, op.name() + " reply"));
                ObjectNode replyChannel = channels.putObject(replyChannelName);
                replyChannel.putNull("address");
                replyChannel.put("description", "The caller's reply topic, named by each request.");
                replyChannel.putObject("messages").set(replyMessage, ref("#/components/messages/" + replyMessage));

                ObjectNode reply = operation.putObject("reply");
                reply.putObject("address").put("location", "$message.header#/" + op.dialect().replyTopicHeader());
                reply.set("channel", ref("#/channels/" + replyChannelName));
                reply.putArray("messages").add(ref("#/channels/" + replyChannelName + "/messages/" + replyMessage));
            }
            extensions(op, operation);
        }
        root.putObject("components").set("messages", messages);
        return root;
    }

    private static void extensions(Operation op, ObjectNode operation) {
        operation.put(AsyncApiContract.TIMEOUT, DurationParser.format(op.timeout()));
        op.expires().ifPresent(expires -> operation.put(AsyncApiContract.EXPIRES, DurationParser.format(expires)));
        if (!op.deadLetterTopic().equals(op.topic() + Operation.DEAD_LETTER_SUFFIX)) {
            operation.put(AsyncApiContract.DEAD_LETTER_TOPIC, op.deadLetterTopic());
        }
        if (op.dialect() != Dialect.DEFAULT) {
            operation.put(AsyncApiContract.DIALECT, op.dialect().wireName());
        }
    }

    private static ObjectNode message(Operation op, String title) {
        ObjectNode message = NODES.objectNode();
        message.put("title", title);
        message.putObject("correlationId").put("location", "$message.header#/" + op.dialect().correlationHeader());
        return message;
    }

    /** {@code <operation>.reply}, unless an operation has that name: then {@code <operation>_reply}. */
    private static String replyChannelName(String operation, Set<String> taken) {
        String name = operation + ".reply";
        return taken.contains(name) ? operation + "_reply" : name;
    }

    private static ObjectNode ref(String target) {
        ObjectNode ref = NODES.objectNode();
        ref.put("$ref", target);
        return ref;
    }
}
