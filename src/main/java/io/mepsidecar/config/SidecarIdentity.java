package io.mepsidecar.config;

/**
 * Who this sidecar is on the wire.
 *
 * @param appName    the app; consumer group of its served operations
 * @param instanceId this replica; routing hint echoed in replies
 * @param replyTopic where replies to this app's calls arrive
 */
public record SidecarIdentity(String appName, String instanceId, String replyTopic) {

    /** The CloudEvents {@code ce_source} of messages this sidecar publishes. */
    public String source() {
        return "/" + appName + "/" + instanceId;
    }
}
