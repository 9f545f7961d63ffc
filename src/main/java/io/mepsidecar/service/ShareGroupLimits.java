package io.mepsidecar.service;

/**
 * The broker's limits on share groups that the service role heeds.
 *
 * @param deliveryCountLimit {@code group.share.delivery.count.limit}: after that many deliveries of a record the
 *            broker drops it instead of handing it out again (Kafka's default: 5)
 * @param maxSize {@code group.share.max.size}: members a share group holds at most (Kafka's default: 200)
 */
record ShareGroupLimits(int deliveryCountLimit, int maxSize) {

    /** Kafka's defaults, taken when the broker does not tell its own. */
    static final ShareGroupLimits KAFKA_DEFAULTS = new ShareGroupLimits(5, 200);
}
