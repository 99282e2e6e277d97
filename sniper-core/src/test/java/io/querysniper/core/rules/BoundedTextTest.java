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
}
