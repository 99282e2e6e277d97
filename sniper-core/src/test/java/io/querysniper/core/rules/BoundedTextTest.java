package io.querysniper.core.rules;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedTextTest {

    @Test
    void anOrdinaryScanFitsTheBudgetAndSeesTheSameText() {
        String text = "select * from t where note = 'x' ".repeat(10_000);
        BoundedText bounded = new BoundedText(text);
        assertThat(Pattern.compile("(?i)where\\s+note").matcher(bounded).find()).isTrue();
        assertThat(bounded.toString()).isEqualTo(text);
        assertThat(bounded.subSequence(0, 6).toString()).isEqualTo("select");
    }

    @Test
    void readsBeyondTheBudgetAreRefused() {
        BoundedText bounded = new BoundedText("ab");
        assertThatThrownBy(() -> {
            for (int i = 0; ; i++) {
                bounded.charAt(i % 2);
            }
        }).isInstanceOf(BoundedText.BudgetExceeded.class);
    }

    @Test
    void longTextsGetABudgetThatGrowsWithTheirLength() {
        // Three million characters read once each: more than the fixed floor, well within the per-char budget.
        String text = "a".repeat(3_000_000) + "7";
        assertThat(Pattern.compile("\\d").matcher(new BoundedText(text)).find()).isTrue();
    }

    @Test
    void theBudgetIsSpentExactly() {
        BoundedText bounded = new BoundedText("ab");
        long budget = 1_000_000 + 2L * BoundedText.READS_PER_CHAR;
        for (long i = 0; i < budget; i++) {
            bounded.charAt((int) (i % 2));
        }
        assertThatThrownBy(() -> bounded.charAt(0)).isInstanceOf(BoundedText.BudgetExceeded.class);
    }

    @Test
    void aSubSequenceIsAWindowOnTheSameText() {
        BoundedText bounded = new BoundedText("hello world");
        CharSequence world = bounded.subSequence(6, 11);
        assertThat(world.length()).isEqualTo(5);
        assertThat(world.charAt(0)).isEqualTo('w');
        assertThat(world.toString()).isEqualTo("world");
        CharSequence or = world.subSequence(1, 3);
        assertThat(or.length()).isEqualTo(2);
        assertThat(or.toString()).isEqualTo("or");
        assertThat(or.charAt(1)).isEqualTo('r');
    }
}
