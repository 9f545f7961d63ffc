package io.mepsidecar.state;

/**
 * Keeps one kind of entry of the app's state topic in memory: every record whose key starts with {@link #prefix()},
 * in the order of the topic, from its beginning. Runs on the state listener's thread.
 */
public interface StateHandler {

    /** The kind of keys handled, with its slash: {@code call/}, {@code reply/}, ... */
    String prefix();

    /** Applies one record: an entry written, replaced, or (tombstone) removed. */
    void apply(StateRecord record);

    /** Called once, when the topic was read up to where it ended at start-up: the view is complete. */
    default void rebuilt() {
    }
}
