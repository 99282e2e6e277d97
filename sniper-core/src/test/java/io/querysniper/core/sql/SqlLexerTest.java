package io.querysniper.core.sql;

import io.querysniper.core.sql.SqlLexer.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SqlLexerTest {

    private static List<String> tokens(String sql) {
        SqlLexer lexer = new SqlLexer(sql);
        List<String> out = new ArrayList<>();
        for (Kind k = lexer.next(); k != Kind.END; k = lexer.next()) {
            out.add(k + ":" + lexer.text());
        }
        return out;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            'abc'                | STRING
            "a""b"               | STRING
            'a\\'b'              | STRING
            N'x'                 | STRING
            _utf8mb4'x'          | STRING
            _binary 0x41         | STRING
            42                   | NUMBER
            1.5e-3               | NUMBER
            .5                   | NUMBER
            -7                   | NUMBER
            X'4142'              | HEX
            0xCAFE               | HEX
            b'0101'              | BIT
            0b11                 | BIT
            ?                    | PLACEHOLDER
            :name                | PLACEHOLDER
            @v                   | VARIABLE
            @@global             | VARIABLE
            `a b`                | QUOTED_IDENTIFIER
            Tbl                  | WORD
            <=>                  | OPERATOR
            ->>                  | OPERATOR
            :=                   | OPERATOR
            (                    | LPAREN
            ;                    | SEMICOLON
            """)
    void kindOfASingleToken(String text, Kind kind) {
        assertThat(tokens(text)).containsExactly(kind + ":" + text);
    }

    @Test
    void keywordsAreRecognisedInAnyCase() {
        SqlLexer lexer = new SqlLexer("SeLeCt users");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
        assertThat(lexer.keyword()).isEqualTo("select");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
        assertThat(lexer.keyword()).isNull();
    }

    @Test
    void signIsPartOfTheLiteralOnlyWhereItCannotBeBinary() {
        assertThat(tokens("a-1")).containsExactly("WORD:a", "OPERATOR:-", "NUMBER:1");
        assertThat(tokens("= -1")).containsExactly("OPERATOR:=", "NUMBER:-1");
        assertThat(tokens("(-1)")).containsExactly("LPAREN:(", "NUMBER:-1", "RPAREN:)");
        assertThat(tokens("1e+5+1")).containsExactly("NUMBER:1e+5", "OPERATOR:+", "NUMBER:1");
        assertThat(tokens("t.5")).containsExactly("WORD:t", "DOT:.", "NUMBER:5");
    }

    @Test
    void commentsAreTriviaAndVersionedCommentsAreSql() {
        assertThat(tokens("a /* x */ b -- y\nc # z\n/*+ hint */ d /*!80000 e */ f"))
                .containsExactly("WORD:a", "WORD:b", "WORD:c", "WORD:d", "WORD:e", "WORD:f");
        assertThat(tokens("a--b")).containsExactly("WORD:a", "OPERATOR:-", "OPERATOR:-", "WORD:b");
    }

    @Test
    void unterminatedQuotesAndCommentsEndTheStream() {
        SqlLexer lexer = new SqlLexer("a 'b c");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
        assertThat(lexer.next()).isEqualTo(Kind.STRING);
        assertThat(lexer.next()).isEqualTo(Kind.END);
        assertThat(lexer.truncated()).isTrue();
        assertThat(tokens("a `b c")).containsExactly("WORD:a");
        assertThat(tokens("a /* b c")).containsExactly("WORD:a");
        assertThat(new SqlLexer(null).next()).isEqualTo(Kind.END);
    }

    @Test
    void noBackslashEscapesModeEndsTheStringAtTheQuote() {
        SqlLexer lexer = new SqlLexer("'C:\\' x", false);
        assertThat(lexer.next()).isEqualTo(Kind.STRING);
        assertThat(lexer.text()).isEqualTo("'C:\\'");
        assertThat(lexer.next()).isEqualTo(Kind.WORD);
    }
}
