#!/usr/bin/env python3
# Writes the seed corpora fuzz/corpus/TARGET/ from the tests' inputs
# (t/unit/test_id.c, t/unit/test_record.c, t/020-listing.t, report_gen).
# Run from the repo root after "make unit"; the files are committed, so
# this is only needed to refresh them.  See fuzz/README.md.

import hashlib, json, os, re, subprocess, sys

OUT = 'fuzz/corpus'


def put(target, data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = 'seed-' + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def c_string(lit):
    # the bytes of a C string literal body (the escapes the tests use)
    out, i = bytearray(), 0
    while i < len(lit):
        c = lit[i]
        if c != '\\':
            out += c.encode('utf-8'); i += 1; continue
        n = lit[i + 1]
        simple = {'n': 10, 't': 9, 'r': 13, 'v': 11, 'f': 12, 'a': 7,
                  '\\': 92, '"': 34, "'": 39, '?': 63}
        if n in simple:
            out.append(simple[n]); i += 2
        elif n == 'x':
            m = re.match(r'[0-9a-fA-F]+', lit[i + 2:])
            out.append(int(m.group(0), 16) & 255); i += 2 + len(m.group(0))
        elif n in '01234567':
            m = re.match(r'[0-7]{1,3}', lit[i + 1:])
            out.append(int(m.group(0), 8) & 255); i += 1 + len(m.group(0))
        else:
            out.append(ord(n)); i += 2
    return bytes(out)


# --- identifiers: every T("...") of the identifier unit tests
src = open('t/unit/test_id.c', encoding='utf-8').read()
for m in re.finditer(r'T\(((?:\s*"(?:[^"\\]|\\.)*")+)\)', src):
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
    put('ids', b''.join(c_string(p) for p in parts))

# --- registry answers: the vectors of the record unit tests
rec = open('t/unit/test_record.c', encoding='utf-8').read()
macros = dict(re.findall(r'#define (\w+)\s+"([^"]*)"', rec))
macros['LONG100'] = macros['LONG40'] * 2 + '01234567890123456789'


def expand(text):
    # adjacent literals and macros as one string
    s = ''
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|([A-Z][A-Z0-9]+)', text):
        if m.group(1) is not None:
            s += c_string(m.group(1)).decode('utf-8', 'replace')
        elif m.group(2) in macros:
            s += macros[m.group(2)]
    return s.replace("'", '"')


for m in re.finditer(r'\{ "(entity|code)[^"]*",\s*(\d+),\s*((?:(?:"(?:[^"\\]|'
                     r'\\.)*"|[A-Z][A-Z0-9]+)\s*)+),\s*([A-Z][A-Z0-9]*)',
                     rec):
    kind, status, body, asked = m.groups()
    sel = {200: 0, 404: 2, 500: 4}.get(int(status), 4)
    if kind == 'entity':
        a = macros.get(asked, macros['TAX'])
    else:
        sel |= 1
        a = macros['CODE']
    put('record', bytes([sel]) + a.encode() + b'\n' + expand(body).encode())

# --- request bodies: the listings of t/020-listing.t and the examples
def listing(seller='0100109106', items=None):
    return {'seller_id': seller, 'title': 'Sữa đặc',
            'items': items if items is not None
            else [{'trace_code': '8934673577038'}]}


bodies = [
    listing(items=[
        {'trace_code': '8934673577038', 'origin_country': 'VN'},
        {'trace_code': '(01)08934673577038(10)ABC123(17)351231'},
        {'trace_code': ']C1010893467357703810ABC123\x1d17351231'},
        {'trace_code': 'https://id.gs1.org/01/12312312312326/21/abc123'},
        {'trace_code': '(01)08934673577038(422)704', 'origin_country': 704},
        {'trace_code': 'VN-TXNG-2024-000123'}]),
    listing(seller=' 213800kud8lajwsq9d15 '),
    listing(seller='0314409058-002'),
    listing(items=[{'trace_code': '8934673577038'},
                   {'trace_code': '1234567890129'}]),
    listing(seller='0100233480'),
    listing(seller='ACME'),
    listing(seller=104),
    listing(items=[{'title': 'x'}]),
    listing(items=[{'trace_code': None}]),
    listing(items=[{'trace_code': 8934673577038}]),
    listing(items=[{'trace_code': {'gtin': '1'}}]),
    listing(items=[{'trace_code': '(01)08934673577038(17)200101'}]),
    listing(items=[{'trace_code': '(01)08934673577038(422)156',
                    'origin_country': 'VN'}]),
    listing(items=[{'trace_code': '8934673577038',
                    'origin_country': 'XX'}]),
    listing(items=[{'trace_code': '(01)08934673577038(99x)A'}]),
    listing(items=[]),
    {'lines': [{'seller_id': '0100109106',
                'product': {'trace_code': '8934673577038',
                            'origin': 'VN'}},
               {'seller_id': '0100233480',
                'product': {'trace_code': '(01)08934673577038(17)200101',
                            'origin': 156}}]},
]
for b in bodies:
    put('body', json.dumps(b, ensure_ascii=False))
for raw in ['{}', '[]', '', 'not json', '{"items": {}}',
            '{"seller_id": "0100109106", "seller_id": "0100109106"}',
            '{"seller_id":"0100109106\\u0000","items":[{"trace_code":"\\u0000"}]}',
            '/items/0/trace_code\n' + json.dumps(listing()),
            '/a~1b/~0c/-\n{"a/b": {"~c": [1]}}']:
    put('body', raw)

# --- Cache-Control values and header lines
for v in ['max-age=60', 'no-store', 'no-cache', 'public, max-age=300',
          'MAX-AGE="60", No-Store', 'max-age=99999999999999999999',
          'private="no-store, x", max-age=5', 'max-age=-1, max-age=',
          'Cache-Control: max-age=120\r\nCache-Control: no-cache\r\n',
          'Content-Type: application/json\r\nCACHE-CONTROL:max-age=0\r\n']:
    put('cache_control', v)

# --- report logs: made by report_gen, unsigned and signed with the key of
# the fuzz target (RFC 8032, test 1)
gen = 'build/unit/report_gen'
key = 'build/fuzz/rfc8032.pem'
sk = bytes.fromhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
os.makedirs('build/fuzz', exist_ok=True)
der = bytes.fromhex('302e020100300506032b657004220420') + sk
subprocess.run(['openssl', 'pkey', '-inform', 'DER', '-out', key],
               input=der, check=True)
logs = [subprocess.run([gen, n] + k, check=True, stdout=subprocess.PIPE).stdout
        for n, k in [('3', []), ('2', [key]), ('1', [])]]
for log in logs:
    put('report', log)
    put('report', log[:-7])                 # a line cut by a crash
lines = logs[0].split(b'\n')
put('report', lines[1] + b'\n' + lines[0] + b'\n')      # reordered
put('report', lines[0].replace(b'"flag"', b'"block"'))  # edited
