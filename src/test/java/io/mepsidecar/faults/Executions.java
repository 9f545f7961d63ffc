package io.mepsidecar.faults;

import java.util.Collection;
import java.util.Map;

/** How many of a scenario's calls of one style ran once, twice, more often, or never at the serving apps. */
record Executions(int once, int twice, int more, int never) {

    static Executions of(Collection<String> tokens, Map<String, Integer> executionsByToken) {
        int once = 0;
        int twice = 0;
        int more = 0;
        int never = 0;
        for (String token : tokens) {
            int runs = executionsByToken.getOrDefault(token, 0);
            if (runs == 0) {
                never++;
            } else if (runs == 1) {
                once++;
            } else if (runs == 2) {
                twice++;
            } else {
                more++;
            }
        }
        return new Executions(once, twice, more, never);
    }

    /** "412 / 3 / 0 (0×: 1)": ran once / twice / three times or more, and never. */
    String render() {
        return once + " / " + twice + " / " + more + " (0×: " + never + ")";
    }
}
