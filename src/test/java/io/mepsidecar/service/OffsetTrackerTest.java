package io.mepsidecar.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private final OffsetTracker tracker = new OffsetTracker();

    private void receive(long... offsets) {
        for (long offset : offsets) {
            tracker.received(offset);
        }
    }

    @Test
    void hasNothingToCommitBeforeAnythingIsReceived() {
        assertThat(tracker.committable()).isEmpty();
        assertThat(tracker.unfinishedCount()).isZero();
    }

    @Test
    void commitsUpToTheLowestUnfinishedOffset() {
        receive(5, 6, 7);
        tracker.finished(6);

        assertThat(tracker.committable()).hasValue(5);
    }

    @Test
    void commitsTheOffsetAfterTheLastReceivedWhenAllAreFinished() {
        receive(5, 6, 7);
        tracker.finished(5);
        tracker.finished(6);
        tracker.finished(7);

        assertThat(tracker.committable()).hasValue(8);
        assertThat(tracker.unfinishedCount()).isZero();
    }

    @Test
    void hasNothingToCommitAfterCommittingUntilSomethingNewFinishes() {
        receive(5, 6, 7);
        tracker.finished(5);
        tracker.finished(6);
        tracker.finished(7);
        tracker.committed(8);

        assertThat(tracker.committable()).isEmpty();

        tracker.received(8);
        assertThat(tracker.committable()).isEmpty();

        tracker.finished(8);
        assertThat(tracker.committable()).hasValue(9);
    }

    @Test
    void advancesOnlyWhenTheLowestOffsetFinishesOutOfOrder() {
        receive(10, 11, 12, 13);

        tracker.finished(13);
        assertThat(tracker.committable()).hasValue(10);

        tracker.finished(11);
        assertThat(tracker.committable()).hasValue(10);

        tracker.finished(10);
        assertThat(tracker.committable()).hasValue(12);

        tracker.committed(12);
        assertThat(tracker.committable()).isEmpty();

        tracker.finished(12);
        assertThat(tracker.committable()).hasValue(14);
    }

    @Test
    void offersTheLowestUnfinishedOffsetBeforeAnyFinishes() {
        receive(5, 6, 7);

        assertThat(tracker.committable()).hasValue(5);
        tracker.committed(5);
        assertThat(tracker.committable()).isEmpty();
    }

    @Test
    void neverMovesTheCommittedOffsetBackwards() {
        receive(5, 6, 7);
        tracker.finished(5);
        tracker.finished(6);
        tracker.finished(7);
        tracker.committed(8);

        tracker.committed(6);

        assertThat(tracker.committable()).isEmpty();

        tracker.received(8);
        tracker.finished(8);
        assertThat(tracker.committable()).hasValue(9);
    }

    @Test
    void doesNotOfferAnOffsetBelowTheCommittedOne() {
        receive(5, 6, 7);
        tracker.finished(5);
        tracker.finished(6);
        tracker.finished(7);
        tracker.committed(8);

        tracker.received(3);

        assertThat(tracker.committable()).isEmpty();
    }

    @Test
    void countsUnfinishedOffsets() {
        receive(5, 6, 7);
        assertThat(tracker.unfinishedCount()).isEqualTo(3);

        tracker.finished(6);
        assertThat(tracker.unfinishedCount()).isEqualTo(2);

        tracker.finished(6);
        assertThat(tracker.unfinishedCount()).isEqualTo(2);

        tracker.received(5);
        assertThat(tracker.unfinishedCount()).isEqualTo(2);

        tracker.finished(5);
        tracker.finished(7);
        assertThat(tracker.unfinishedCount()).isZero();
    }
}
