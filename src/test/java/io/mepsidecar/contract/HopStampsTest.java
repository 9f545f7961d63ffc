package io.mepsidecar.contract;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The text form of hop stamps, as it travels in {@code mep-hops} and {@code Mep-Hops}. */
class HopStampsTest {

    @Test
    void formatsNothingWhenNoHopWasStamped() {
        assertThat(new HopStamps().format()).isEmpty();
    }

    @Test
    void formatsTheStampsTakenInHopOrderWhateverTheOrderTheyWereTakenIn() {
        HopStamps hops = new HopStamps();
        hops.stamp(Hop.HTTP_OUT, Instant.ofEpochSecond(1_767_225_600, 9_000));
        hops.stamp(Hop.HTTP_IN, Instant.ofEpochSecond(1_767_225_600, 1_000));
        hops.stamp(Hop.APP_CALL, Instant.ofEpochSecond(1_767_225_600, 5_999));

        assertThat(hops.format()).isEqualTo(
                "http-in=1767225600000001,app-call=1767225600000005,http-out=1767225600000009");
    }

    @Test
    void stampsWithTheWallClockInMicroseconds() {
        long before = Instant.now().toEpochMilli() * 1_000;
        HopStamps hops = new HopStamps();
        hops.stamp(Hop.SEND);
        long after = (Instant.now().toEpochMilli() + 1) * 1_000;

        assertThat(hops.get(Hop.SEND)).isBetween(before, after);
        assertThat(hops.get(Hop.ACK)).isZero();
    }

    @Test
    void mergeTakesOnlyTheStampsOfTheNamedSide() {
        HopStamps caller = new HopStamps();
        caller.stamp(Hop.HTTP_IN, Instant.ofEpochSecond(10));

        caller.merge("http-in=1,consumed=10000001,app-call=10000002,app-answer=10000003,reply-send=10000004,"
                + "http-out=99", Hop.Side.SERVICE);

        assertThat(caller.format()).isEqualTo("http-in=10000000,consumed=10000001,app-call=10000002,"
                + "app-answer=10000003,reply-send=10000004");
    }

    @Test
    void mergeIgnoresWhatItCannotRead() {
        HopStamps hops = new HopStamps();

        hops.merge("consumed=abc,=5,app-call,unknown=7,app-answer=-3,reply-send= 42 ,,", Hop.Side.SERVICE);
        hops.merge("", Hop.Side.SERVICE);
        hops.merge("1", Hop.Side.SERVICE);

        assertThat(hops.format()).isEqualTo("reply-send=42");
    }

    @Test
    void whatIsFormattedMergesBackUnchanged() {
        HopStamps service = new HopStamps();
        for (Hop hop : Hop.values()) {
            if (hop.side() == Hop.Side.SERVICE) {
                service.stamp(hop);
            }
        }
        HopStamps caller = new HopStamps();

        caller.merge(service.format(), Hop.Side.SERVICE);

        assertThat(caller.format()).isEqualTo(service.format());
    }
}
