package io.querysniper.core.sql;

import io.querysniper.core.sql.SqlLexer.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where one token ends and the next begins, at the edges the fingerprint depends on: a literal that swallowed its
 * neighbour, or an operator split in two, would change the fingerprint or leak a value into it.
 */
class SqlLexerEdgesTest {

    private static List<String> tokens(String sql) {
        SqlLexer lexer = new SqlLexer(sql);
        List<String> out = new ArrayList<>();
        for (Kind k = lexer.next(); k != Kind.END; k = lexer.next()) {
            assertThat(lexer.text()).isEqualTo(sql.substring(lexer.start(), lexer.end()));
            out.add(k + ":" + lexer.text());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', quoteCharacter = '~', textBlock = """
            a>=b    # WORD:a OPERATOR:>= WORD:b
            a>>b    # WORD:a OPERATOR:>> WORD:b
            a>b     # WORD:a OPERATOR:> WORD:b
            a<>b    # WORD:a OPERATOR:<> WORD:b
            a<<b    # WORD:a OPERATOR:<< WORD:b
            a<=b    # WORD:a OPERATOR:<= WORD:b
            a!=b    # WORD:a OPERATOR:!= WORD:b
            a!b     # WORD:a OPERATOR:! WORD:b
            a||b    # WORD:a OPERATOR:|| WORD:b
            a|b     # WORD:a OPERATOR:| WORD:b
            a&&b    # WORD:a OPERATOR:&& WORD:b
            a&b     # WORD:a OPERATOR:& WORD:b
            a->b    # WORD:a OPERATOR:-> WORD:b
            a: b    # WORD:a OPERATOR:: WORD:b
            a=:b    # WORD:a OPERATOR:= PLACEHOLDER::b
            """)
    void operatorsTakeTheirWholeWidthAndNoMore(String sql, String expected) {
        assertThat(String.join(" ", tokens(sql))).isEqualTo(expected);
    }

    @Test
    void aSignedHexOrBitLiteralKeepsItsKind() {
        assertThat(tokens("= -0x1F")).containsExactly("OPERATOR:=", "HEX:-0x1F");
        assertThat(tokens("= +0b101")).containsExactly("OPERATOR:=", "BIT:+0b101");
        assertThat(tokens("= -1e5")).containsExactly("OPERATOR:=", "NUMBER:-1e5");
        assertThat(tokens("= -.5")).containsExactly("OPERATOR:=", "NUMBER:-.5");
    }

    @Test
    void anExponentSignNeedsADigitAfterItAndALetterEBeforeIt() {
        assertThat(tokens("1e+")).containsExactly("NUMBER:1e", "OPERATOR:+");
        assertThat(tokens("0x1e+2")).containsExactly("HEX:0x1e", "OPERATOR:+", "NUMBER:2");
        assertThat(tokens("-e+1")).containsExactly("OPERATOR:-", "WORD:e", "OPERATOR:+", "NUMBER:1");
    }

    @Test
    void variablesAndPlaceholdersMayStartWithADigit() {
        assertThat(tokens("@1")).containsExactly("VARIABLE:@1");
        assertThat(tokens("@@1x")).containsExactly("VARIABLE:@@1x");
        assertThat(tokens(":1")).containsExactly("PLACEHOLDER::1");
        assertThat(tokens("@'quoted'")).containsExactly("OPERATOR:@", "STRING:'quoted'");
    }

    @Test
    void anIntroducerOwnsTheLiteralAfterItWhateverItsForm() {
        assertThat(tokens("_binary X'41' x")).containsExactly("STRING:_binary X'41'", "WORD:x");
        assertThat(tokens("_binary b'01' x")).containsExactly("STRING:_binary b'01'", "WORD:x");
        assertThat(tokens("_binary 0b01 x")).containsExactly("STRING:_binary 0b01", "WORD:x");
        assertThat(tokens("_latin1\"x\" y")).containsExactly("STRING:_latin1\"x\"", "WORD:y");
        // Not a literal after it: an ordinary word.
        assertThat(tokens("_binary x")).containsExactly("WORD:_binary", "WORD:x");
        assertThat(tokens("_binary 0x")).containsExactly("STRING:_binary 0x");
        assertThat(tokens("_binary 01")).containsExactly("WORD:_binary", "NUMBER:01");
        assertThat(tokens("_binary c'x'")).containsExactly("WORD:_binary", "WORD:c", "STRING:'x'");
        assertThat(tokens("_binary")).containsExactly("WORD:_binary");
        assertThat(tokens("_binary ")).containsExactly("WORD:_binary");
    }

    @Test
    void aLoneUnderscoreIsAWordEvenBeforeAString() {
        assertThat(tokens("_ 'x'")).containsExactly("WORD:_", "STRING:'x'");
        assertThat(tokens("a _ 'x'")).containsExactly("WORD:a", "WORD:_", "STRING:'x'");
    }

    @Test
    void aDoubleDashIsACommentOnlyBeforeASpaceOrTheEnd() {
        assertThat(tokens("a --")).containsExactly("WORD:a");
        assertThat(tokens("a -- x\nb")).containsExactly("WORD:a", "WORD:b");
        assertThat(tokens("a --x")).containsExactly("WORD:a", "OPERATOR:-", "OPERATOR:-", "WORD:x");
        assertThat(tokens("a --\tx\nb")).containsExactly("WORD:a", "WORD:b");
    }

    @Test
    void afterTheEndEveryCallSaysEnd() {
        SqlLexer lexer = new SqlLexer("a");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
        assertThat(lexer.start()).isZero();
        assertThat(lexer.end()).isEqualTo(1);
        assertThat(lexer.next()).isEqualTo(Kind.END);
        assertThat(lexer.next()).isEqualTo(Kind.END);
        assertThat(lexer.next()).isEqualTo(Kind.END);
        assertThat(lexer.truncated()).as("a complete text is not truncated").isFalse();
    }

    @Test
    void startAndEndDelimitEachToken() {
        SqlLexer lexer = new SqlLexer("  select  'x'");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
        assertThat(lexer.start()).isEqualTo(2);
        assertThat(lexer.end()).isEqualTo(8);
        assertThat(lexer.next()).isEqualTo(Kind.STRING);
        assertThat(lexer.start()).isEqualTo(10);
        assertThat(lexer.end()).isEqualTo(13);
    }

    @Test
    void wordsAreLettersOfEitherCaseAndSpacesIncludeDelAndUnicodeSpaces() {
        assertThat(tokens("Z z A a _x $y")).containsExactly("WORD:Z", "WORD:z", "WORD:A", "WORD:a", "WORD:_x", "WORD:$y");
        assertThat(tokens("a\u007Fb")).containsExactly("WORD:a", "WORD:b");
        assertThat(tokens("a\u00A0b\u2028c\u3000d")).containsExactly("WORD:a", "WORD:b", "WORD:c", "WORD:d");
        assertThat(tokens("caf\u00E9")).containsExactly("WORD:caf\u00E9");
    }
}
