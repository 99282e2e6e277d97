#!/usr/bin/env python3
"""Writes N realistic, ';\\n'-terminated queries (pt-fingerprint's record format; also one per line for
query-sniper). Every literal carries the marker PLANTEDSECRET so outputs can be checked for leaks."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rnd = random.Random(42)
M = "PLANTEDSECRET"


def s():
    return "'%s%d@example.com'" % (M, rnd.randrange(10**9)) if rnd.random() < 0.8 else "'O''%s%d'" % (M, rnd.randrange(999))


def num():
    return str(rnd.randrange(10**12)) if rnd.random() < 0.7 else "%d.%d" % (rnd.randrange(1000), rnd.randrange(100))


def in_list():
    return ", ".join(num() for _ in range(rnd.randrange(1, 12)))


templates = [
    lambda: "SELECT id, name, email FROM users WHERE email = %s AND status = %s" % (s(), num()),
    lambda: "select * from orders where customer_id in (%s) and created > '2024-01-%02d' order by id desc limit %d" % (in_list(), rnd.randrange(1, 28), rnd.randrange(1, 100)),
    lambda: "UPDATE sessions SET token = X'%s%016x', seen_at = NOW() WHERE user_id = %s" % ("ABCD", rnd.getrandbits(64), num()),
    lambda: "insert into audit (who, what, amount) values (%s, %s, %s), (%s, %s, -%s)" % (s(), s(), num(), s(), s(), num()),
    lambda: "delete from carts where id = %s /* %s cleanup */" % (num(), M),
    lambda: "select count(*) from payments p join accounts a on a.id = p.account_id where a.iban = %s and p.amount >= %s" % (s(), num()),
    lambda: "SELECT /*+ MAX_EXECUTION_TIME(%d) */ sku FROM items WHERE name LIKE %s" % (rnd.randrange(100, 5000), s()),
    lambda: "select a, b from t where c = :%s and d = ? and e = 0x%s%x" % ("p", M.encode().hex().upper(), rnd.getrandbits(32)),
]

out = sys.stdout
buf = []
for i in range(n):
    buf.append(rnd.choice(templates)() + ";\n")
    if len(buf) == 10000:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
