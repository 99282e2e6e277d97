package io.querysniper.core.sql;

/**
 * The words the fingerprint lower-cases: MySQL/MariaDB reserved words plus the common non-reserved keywords and
 * built-in function names. A bare word outside this table keeps its spelling (identifiers are case-sensitive on
 * some servers). Lookup is case-insensitive over a region of the source and allocates nothing.
 */
final class Keywords {

    private static final String WORDS = """
            accessible action add after against aggregate algorithm all alter always analyze and any as asc ascii
            asensitive at auto_increment autocommit avg avg_row_length before begin between bigint binary binlog bit
            blob bool boolean both btree by byte cache call cascade cascaded case cast change char character charset
            check checksum cipher coalesce collate collation column columns comment commit committed compact
            compressed concat concat_ws concurrent condition connection consistent constraint contains continue
            convert count create cross cube cume_dist current current_date current_role current_time
            current_timestamp current_user cursor data database databases date date_add date_format date_sub datetime
            day day_hour day_microsecond day_minute day_second deallocate dec decimal declare default definer
            delayed delay_key_write delete dense_rank desc describe deterministic disable discard distinct
            distinctrow div do double drop dual duplicate dynamic each else elseif empty enable enclosed end engine
            engines enum errors escape escaped event events every except exchange exclusive execute exists exit
            expansion explain extended extract false fetch fields first first_value float float4 float8 flush
            following for force foreign format found from full fulltext function generated get global grant grants
            greatest group group_concat grouping groups handler hash having high_priority hour hour_microsecond
            hour_minute hour_second identified if ifnull ignore immediate in index indexes infile inner inout
            insensitive insert insert_method instant int int1 int2 int3 int4 int8 integer intersect interval into
            invisible invoker is isolation iterate join json json_arrayagg json_extract json_objectagg json_table
            json_unquote key keys kill lag language last last_value lateral lead leading least leave left length
            level like limit linear lines load local localtime localtimestamp lock locked locks logs long longblob
            longtext loop low_priority lower lpad ltrim master match max max_execution_time maxvalue mediumblob
            mediumint mediumtext memory merge microsecond middleint min minute minute_microsecond minute_second mod
            mode modifies modify month names national natural nchar no no_write_to_binlog none not now nowait
            nth_value ntile null nullif numeric of offset on only open optimize optimizer_costs option optionally
            or order out outer outfile over partition partitions password percent_rank persist persist_only
            precedes preceding precision prepare primary procedure processlist purge quarter query quick range rank
            read reads read_write real recursive redundant references regexp release rename repair repeat
            repeatable replace require resignal restrict return returning returns revoke right rlike rollback
            rollup round row rows row_format row_number rpad rtrim savepoint schema schemas second
            second_microsecond security select sensitive separator serializable session set share show signal
            signed skip smallint snapshot some spatial specific sql sql_big_result sql_buffer_result
            sql_calc_found_rows sql_no_cache sql_small_result sqlexception sqlstate sqlwarning ssl start starting
            status std stddev stored straight_join substr substring sum system table tables temporary temptable
            terminated text than then time timestamp timestampdiff tinyblob tinyint tinytext to trailing
            transaction trigger trim true truncate type uncommitted undo union unique unknown unlock unsigned until
            update upper usage use using utc_date utc_time utc_timestamp value values varbinary varchar varcharacter
            varying view virtual visible wait warnings week when where while window with without work write xa
            xor year year_month zerofill
            """;

    private static final String[] TABLE;
    private static final int MASK;
    private static final int MAX_LENGTH;

    static {
        String[] words = WORDS.trim().split("\\s+");
        int size = Integer.highestOneBit(words.length * 4);
        TABLE = new String[size];
        MASK = size - 1;
        int max = 0;
        for (String w : words) {
            int slot = hash(w, 0, w.length()) & MASK;
            while (TABLE[slot] != null && !TABLE[slot].equals(w)) {
                slot = (slot + 1) & MASK;
            }
            TABLE[slot] = w;
            max = Math.max(max, w.length());
        }
        MAX_LENGTH = max;
    }

    private Keywords() {
    }

    /** The lower-case keyword spelled (in any case) by {@code s[start, end)}, or null when it is no keyword. */
    static String lookup(String s, int start, int end) {
        int length = end - start;
        if (length > MAX_LENGTH || length == 0) {
            return null;
        }
        int slot = hash(s, start, end) & MASK;
        for (String candidate; (candidate = TABLE[slot]) != null; slot = (slot + 1) & MASK) {
            if (candidate.length() == length && matches(candidate, s, start)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean matches(String keyword, String s, int start) {
        for (int i = 0; i < keyword.length(); i++) {
            char c = s.charAt(start + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            if (c != keyword.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            h = 31 * h + c;
        }
        return h ^ (h >>> 16);
    }
}
