package jinja

import (
	"testing"
)

// referenceVars are the play vars of TestRenderAsAnsible.
const referenceVars = `n: 3
f: 1.5
b: true
s: hello
up: "  Mixed Case  "
l: [a, b]
nums: [3, 1, 2, 1]
d: {k: v, n: 1}
dd: {b: 1, a: 2}
nothing: null
empty: ""
yes_s: "yes"
alias: "{{ s }}"
lazyl: ["{{ n }}", x]
csv: "a,b,,c"
words: "  one two\tthree "
js: '{"a": [1, 2.5, null]}'
mixed: [b, A, a, B]
users: [{name: bob, age: 30}, {name: alice, age: 25}, {name: Carl, age: 35}]
expr: "{{ 1 + 1 }}"
lenv: "{{ l | length }}"
big: 12345678901234567890
lazybad: "{{ nothere }}"
lazybad2: ["{{ nothere2 }}"]
`

// referenceCases are templates and what Ansible 2.14's Templar (with the
// same variables as play vars) made of them: the type and repr of the
// value, or for an error ERROR and its message. They were produced by
// ansible-core 2.14.18 with Debian's Jinja2 3.1.2; where Ansible's
// messages name the class it holds a string in (AnsibleUnicode), they
// say str, the type it stands for.
var referenceCases = []struct{ src, typ, want string }{
	{`plain text`, `str`, `'plain text'`},
	{`n={{ n }}`, `str`, `'n=3'`},
	{`{{n}}{{ s }}`, `str`, `'3hello'`},
	{`b={{ b }} f={{ f }}`, `str`, `'b=True f=1.5'`},
	{`l={{ l }}`, `str`, `"l=['a', 'b']"`},
	{`d={{ d }}`, `str`, `"d={'k': 'v', 'n': 1}"`},
	{`[{{ nothing }}]`, `list`, `[]`},
	{`{{ n }}`, `int`, `3`},
	{`{{ f }}`, `float`, `1.5`},
	{`{{ b }}`, `bool`, `True`},
	{`{{ l }}`, `list`, `['a', 'b']`},
	{`{{ d }}`, `dict`, `{'k': 'v', 'n': 1}`},
	{`{{ dd }}`, `dict`, `{'b': 1, 'a': 2}`},
	{`{{ dict(b=1, a=2) }}`, `dict`, `{'b': 1, 'a': 2}`},
	{`{{ dict([["k", 1]], k=2) | string }}`, `str`, `"{'k': 2}"`},
	{`{{ dict(d, z=0) }}`, `dict`, `{'k': 'v', 'n': 1, 'z': 0}`},
	{`{{ nothing }}`, `NoneType`, `None`},
	{`{{ 1 + 2 }}`, `str`, `'3'`},
	{`{{ '3' }}`, `str`, `'3'`},
	{` {{ n }}`, `str`, `' 3'`},
	{`{{ alias }}`, `str`, `'hello'`},
	{`{{ lazyl }}`, `list`, `[3, 'x']`},
	{`{{ expr }}`, `str`, `'2'`},
	{`{{ expr == '2' }}`, `bool`, `True`},
	{`{{ lenv }}`, `str`, `'2'`},
	{`{{ missing | default('d') }}`, `str`, `'d'`},
	{`{{ missing.deep.path | default('d') }}`, `str`, `'d'`},
	{`{{ empty | default('d') }}`, `str`, `''`},
	{`{{ empty | default('d', true) }}`, `str`, `'d'`},
	{`{{ nothing | default('x') }}`, `str`, `''`},
	{`{{ yes_s | bool }}`, `bool`, `True`},
	{`{{ 'No' | bool }}`, `bool`, `False`},
	{`{{ '42' | int }}`, `str`, `'42'`},
	{`{{ ' 3.9 ' | int }}`, `str`, `'3'`},
	{`{{ 'x' | int(5) }}`, `str`, `'5'`},
	{`{{ 'ff' | int(0, 16) }}`, `str`, `'255'`},
	{`{{ '0x1f' | int(base=16) }}`, `str`, `'31'`},
	{`{{ 'a' | int(base=99) }} {{ '5' | int(base=99) }} {{ '5.5' | int(base='x') }} {{ 7 | int(base=2) }}`, `str`, `'0 5 5 7'`},
	{`{{ f | int }}`, `str`, `'1'`},
	{`{{ '2.5' | float }}`, `str`, `'2.5'`},
	{`{{ l | string }}`, `str`, `"['a', 'b']"`},
	{`{{ s | length }}`, `str`, `'5'`},
	{`{{ l | join(',') }}`, `str`, `'a,b'`},
	{`{{ nums | join }}`, `str`, `'3121'`},
	{`{{ up | lower }}`, `str`, `'  mixed case  '`},
	{`{{ up | trim }}`, `str`, `'Mixed Case'`},
	{`{{ l | first }}`, `str`, `'a'`},
	{`{{ s | first }}`, `str`, `'h'`},
	{`{{ s | replace('l', 'L', 1) }}`, `str`, `'heLlo'`},
	{`{{ csv | split(',') }}`, `list`, `['a', 'b', '', 'c']`},
	{`{{ words | split }}`, `list`, `['one', 'two', 'three']`},
	{`{{ nums | sort }}`, `list`, `[1, 1, 2, 3]`},
	{`{{ nums | sort(reverse=true) }}`, `list`, `[3, 2, 1, 1]`},
	{`{{ mixed | sort }}`, `list`, `['A', 'a', 'b', 'B']`},
	{`{{ mixed | sort(case_sensitive=true) }}`, `list`, `['A', 'B', 'a', 'b']`},
	{`{{ mixed | unique }}`, `list`, `['b', 'A']`},
	{`{{ mixed | unique(case_sensitive=true) }}`, `list`, `['b', 'A', 'a', 'B']`},
	{`{{ mixed | min }} {{ mixed | max }}`, `str`, `'A b'`},
	{`{{ mixed | min(case_sensitive=true) }}`, `str`, `'A'`},
	{`{{ users | max(attribute='age') }}`, `dict`, `{'name': 'Carl', 'age': 35}`},
	{`{{ users | sort(attribute='name') | map(attribute='name') | list }}`, `list`, `['alice', 'bob', 'Carl']`},
	{`{{ users | unique(attribute='age') | length }}`, `str`, `'3'`},
	{`{{ d | to_json }}`, `str`, `'{"k": "v", "n": 1}'`},
	{`{{ dd | to_json }}`, `str`, `'{"b": 1, "a": 2}'`},
	{`{{ dd | to_nice_json }}`, `str`, `'{\n    "a": 2,\n    "b": 1\n}'`},
	{`{{ dd | dict2items }}`, `list`, `[{'key': 'b', 'value': 1}, {'key': 'a', 'value': 2}]`},
	{`{{ dd | first }}`, `str`, `'b'`},
	{`{{ 'é' | to_json }}`, `str`, `'"\\u00e9"'`},
	{`{{ {'é': 'ü'} | to_json }}`, `str`, `'{"\\u00e9": "\\u00fc"}'`},
	{`{{ 2 ** 70 }}`, `str`, `'1180591620717411303424'`},
	{`{{ (2 ** 70) + 1 }}`, `str`, `'1180591620717411303425'`},
	{`{{ big }}`, `int`, `12345678901234567890`},
	{`{{ big * 10 }}`, `str`, `'123456789012345678900'`},
	{`{{ [1, (2, 3)] }}`, `list`, `[1, (2, 3)]`},
	{`{{ (1, 2) }}`, `str`, `'(1, 2)'`},
	{`{{ (1,) }}`, `str`, `'(1,)'`},
	{`{{ 'x' if false }}`, `str`, `''`},
	{`a{{ 'x' if false }}b`, `str`, `'ab'`},
	{`{{ range(3) }}`, `list`, `[0, 1, 2]`},
	{`{{ range(1, 10, 3) | list }}`, `list`, `[1, 4, 7]`},
	{`{{ dd.items() }}`, `list`, `[('b', 1), ('a', 2)]`},
	{`{{ dd.keys() | list }}`, `list`, `['b', 'a']`},
	{`{{ d.get('k') }} {{ d.get('zz', 'def') }}`, `str`, `'v def'`},
	{`{{ 'a,b'.split(',') }}`, `list`, `['a', 'b']`},
	{`{{ s[1:3] }} {{ l[::-1] }} {{ s[-2:] }}`, `str`, `"el ['b', 'a'] lo"`},
	{`{{ '%s-%05.1f' % ('a', 3.14159) }}`, `str`, `'a-003.1'`},
	{`{{ '%d items' % 3 }}`, `str`, `'3 items'`},
	{`{{ '%(a)s/%(b)s' % {'a': 1, 'b': 2} }}`, `str`, `'1/2'`},
	{`{{ '%x %X %o %#x' % (255, 255, 8, 255) }}`, `str`, `'ff FF 10 0xff'`},
	{`{{ "{}-{}".format(1, 'a') }}`, `str`, `'1-a'`},
	{`{% for x in l %}{{ loop.index }}:{{ x }} {% endfor %}`, `str`, `'1:a 2:b '`},
	{`{% for k, v in dd.items() %}{{ k }}={{ v }};{% endfor %}`, `str`, `'b=1;a=2;'`},
	{`{% set y = n * 2 %}{{ y }}`, `str`, `'6'`},
	{`{{ [1, 2, 3] | select('>', 1) | list }}`, `list`, `[2, 3]`},
	{`{{ [1, 2, 3, 4] | select('odd') | list }}`, `list`, `[1, 3]`},
	{`{{ users | selectattr('age', 'gt', 26) | map(attribute='name') | list }}`, `list`, `['bob', 'Carl']`},
	{`{{ users | selectattr('name', 'equalto', 'bob') | list }}`, `list`, `[{'name': 'bob', 'age': 30}]`},
	{`{{ {'a': 1} | combine({'b': 2}) }}`, `dict`, `{'a': 1, 'b': 2}`},
	{`{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true) }}`, `dict`, `{'a': {'x': 1, 'y': 2}}`},
	{`{{ 'hello world' | regex_replace('o', '0') }}`, `str`, `'hell0 w0rld'`},
	{`{{ 'abc123def' | regex_search('[0-9]+') }}`, `str`, `'123'`},
	{`{{ 'a1b22c333' | regex_findall('[0-9]+') }}`, `list`, `['1', '22', '333']`},
	{`{{ true | ternary('yes', 'no') }}`, `str`, `'yes'`},
	{`{{ [{'key': 'a', 'value': 1}] | items2dict }}`, `dict`, `{'a': 1}`},
	{`{{ '%s=%s' | format('a', 1) }}`, `str`, `'a=1'`},
	{`{{ 'hello' | b64encode }}`, `str`, `'aGVsbG8='`},
	{`{{ 'aGVsbG8=' | b64decode }}`, `str`, `'hello'`},
	{`{{ 'hello' | hash('md5') }}`, `str`, `'5d41402abc4b2a76b9719d911017c592'`},
	{`{{ 'hello' | hash }}`, `str`, `'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'`},
	{`{{ "it's" | quote }}`, `str`, `'\'it\'"\'"\'s\''`},
	{`{{ [1, [2, [3, [4]]]] | flatten }}`, `list`, `[1, 2, 3, 4]`},
	{`{{ [1, [2, [3, [4]]]] | flatten(levels=1) }}`, `list`, `[1, 2, [3, [4]]]`},
	{`{{ [1, 2] | product(['a', 'b']) | list }}`, `list`, `[(1, 'a'), (1, 'b'), (2, 'a'), (2, 'b')]`},
	{`{{ [1, 2] | zip(['a', 'b']) | list }}`, `list`, `[(1, 'a'), (2, 'b')]`},
	{`{{ {'a': 1, 'b': [1, 2]} | to_yaml }}`, `str`, `'a: 1\nb: [1, 2]\n'`},
	{`{{ {'a': 1, 'b': [1, 2]} | to_nice_yaml }}`, `str`, `'a: 1\nb:\n- 1\n- 2\n'`},
	{`{{ '/etc/hosts' | basename }} {{ '/etc/hosts' | dirname }}`, `str`, `'hosts /etc'`},
	{`{{ 'x' ~ 1 ~ none }}`, `str`, `'x1None'`},
	{`{{ none }}`, `str`, `''`},
	{`x{{ none }}`, `str`, `'x'`},
	{`{{ 10 / 4 }} {{ 10 // 4 }} {{ -7 % 3 }} {{ 2 ** -1 }}`, `str`, `'2.5 2 2 0.5'`},
	{`{{ n is odd }} {{ n is even }} {{ n is divisibleby 3 }}`, `str`, `'True False True'`},
	{`{{ 'abc' is match('a') }} {{ 'abc' is search('c') }}`, `str`, `'True True'`},
	{`{{ '1.2.10' is version('1.2.9', '>') }}`, `bool`, `True`},
	{`{{ l is subset(['a', 'b', 'c']) }}`, `bool`, `True`},
	{`{{ 1 == 1.0 }} {{ true == 1 }} {{ (1, 2) == [1, 2] }}`, `str`, `'True True False'`},
	{`{{ [3, 1, 2] | min }} {{ [] | min | default('e') }}`, `str`, `'1 e'`},
	{`{{ 'Hello World' | lower | title }}`, `str`, `'Hello World'`},
	{`{{ 12.5 | round }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 3.14159 | round(2, 'floor') }}`, `str`, `'12.0 2.0 3.14 3.14'`},
	{`{{ -5 | abs }}`, `str`, `'5'`},
	{`{{ [1, 2, 3] | sum }} {{ users | sum(attribute='age') }}`, `str`, `'6 90'`},
	{`{{ [[1], [2]] | sum(start=[]) }}`, `list`, `[1, 2]`},
	{`{{ 'a b c' | wordcount }}`, `str`, `'3'`},
	{`{{ l | reverse | list }}`, `list`, `['b', 'a']`},
	{`{{ 'abc' | reverse }}`, `str`, `'cba'`},
	{`{{ [1,2,3,4,5] | batch(2) | list }}`, `list`, `[[1, 2], [3, 4], [5]]`},
	{`{{ users | map(attribute='name') | join(', ') }}`, `str`, `'bob, alice, Carl'`},
	{`{{ ['a', 'b'] | map('upper') | list }}`, `list`, `['A', 'B']`},
	{`{{ 5 | string }}{{ 5 | string | length }}`, `str`, `'51'`},
	{`{{ [1, 2] | union([2, 3]) }} {{ [1, 2] | intersect([2, 3]) }} {{ [1, 2] | difference([2, 3]) }} {{ [1, 2] | symmetric_difference([2, 3]) }}`, `str`, `'[1, 2, 3] [2] [1] [1, 3]'`},
	{`{{ '  x ' | trim | length }}`, `str`, `'1'`},
	{`{{ 'a' in 'abc' }} {{ 'k' in d }} {{ 1 in [1, 2] }}`, `str`, `'True True True'`},
	{`{{ 3 > 2 > 1 }}`, `bool`, `True`},
	{`{{ dd | dictsort }}`, `list`, `[('a', 2), ('b', 1)]`},
	{`{{ 'x' | center(5) }}|`, `str`, `'  x  |'`},
	{`{{ "a\nb" | indent(2) }}`, `str`, `'a\\nb'`},
	{`{{ 'hello world foo' | truncate(9, leeway=0) }}`, `str`, `'hello...'`},
	{`{{ 0.1 + 0.2 }}`, `str`, `'0.30000000000000004'`},
	{`{{ 1e3 }} {{ 1_000 }}`, `str`, `'1000.0 1000'`},
	{`{{ 1 / 3 }}`, `str`, `'0.3333333333333333'`},
	{`{{ 'abc' | upper }}`, `str`, `'ABC'`},
	{`{{ [] }}`, `list`, `[]`},
	{`{{ {} }}`, `dict`, `{}`},
	{`{{ '[1, 2' }}`, `str`, `'[1, 2'`},
	{`{{ '{"a": true}' }}`, `dict`, `{'a': True}`},
	{`{{ "True" }}`, `bool`, `True`},
	{`{{ ' [1]' }}`, `str`, `' [1]'`},
	{`{{ dd | dict2items | items2dict }}`, `dict`, `{'b': 1, 'a': 2}`},
	{`{{ ['b', 'a'] | sort | first }}`, `str`, `'a'`},
	{`{{ missing }}`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`x {{ missing }} y`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`{{ missing.attr }}`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`{{ d.nope }}`, `ERROR`, `'dict object' has no attribute 'nope'. 'dict object' has no attribute 'nope'`},
	{`{{ d['no key'] }}`, `ERROR`, `'dict object' has no attribute 'no key'. 'dict object' has no attribute 'no key'`},
	{`{{ l[5] }}`, `ERROR`, `list object has no element 5. list object has no element 5`},
	{`{{ l.5 }}`, `ERROR`, `list object has no element 5. list object has no element 5`},
	{`{{ missing | length }}`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`{{ missing | mandatory }}`, `ERROR`, `Mandatory variable 'missing'  not defined.`},
	{`{{ s + 1 }}`, `ERROR`, `Unexpected templating type error occurred on ({{ s + 1 }}): can only concatenate str (not "int") to str. can only concatenate str (not "int") to str`},
	{`{{ 1 + s }}`, `ERROR`, `Unexpected templating type error occurred on ({{ 1 + s }}): unsupported operand type(s) for +: 'int' and 'str'. unsupported operand type(s) for +: 'int' and 'str'`},
	{`{{ l + 'x' }}`, `ERROR`, `Unexpected templating type error occurred on ({{ l + 'x' }}): can only concatenate list (not "str") to list. can only concatenate list (not "str") to list`},
	{`{{ 1 / 0 }}`, `ERROR`, `division by zero`},
	{`{{ n | length }}`, `ERROR`, `Unexpected templating type error occurred on ({{ n | length }}): object of type 'int' has no len(). object of type 'int' has no len()`},
	{`{{ [] | first }}`, `ERROR`, `No first item, sequence was empty.. No first item, sequence was empty.`},
	{`{{ s.nope }}`, `ERROR`, `'str object' has no attribute 'nope'. 'str object' has no attribute 'nope'`},
	{`{{ n.nope }}`, `ERROR`, `'int object' has no attribute 'nope'. 'int object' has no attribute 'nope'`},
	{`{{ nothing.x }}`, `ERROR`, `'None' has no attribute 'x'. 'None' has no attribute 'x'`},
	{`{{ s.upper() }}`, `str`, `'HELLO'`},
	{`{{ d.keys() }}`, `list`, `['k', 'n']`},
	{`{{ '%d' % 'x' }}`, `ERROR`, `Unexpected templating type error occurred on ({{ '%d' % 'x' }}): %d format: a real number is required, not str. %d format: a real number is required, not str`},
	{`{{ '%s %s' % (1,) }}`, `ERROR`, `Unexpected templating type error occurred on ({{ '%s %s' % (1,) }}): not enough arguments for format string. not enough arguments for format string`},
	{`{{ '%s' % (1, 2) }}`, `ERROR`, `Unexpected templating type error occurred on ({{ '%s' % (1, 2) }}): not all arguments converted during string formatting. not all arguments converted during string formatting`},
	{`{{ 'a' < 1 }}`, `ERROR`, `Unexpected templating type error occurred on ({{ 'a' < 1 }}): '<' not supported between instances of 'str' and 'int'. '<' not supported between instances of 'str' and 'int'`},
	{`{{ int }}`, `ERROR`, `'int' is undefined. 'int' is undefined`},
	{`{{ [1, 'a'] | sort }}`, `ERROR`, `Unexpected templating type error occurred on ({{ [1, 'a'] | sort }}): '<' not supported between instances of 'str' and 'int'. '<' not supported between instances of 'str' and 'int'`},
	{`{% for x in n %}{% endfor %}`, `ERROR`, `Unexpected templating type error occurred on ({% for x in n %}{% endfor %}): 'int' object is not iterable. 'int' object is not iterable`},
	{`{{ l | join(missing) }}`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`{{ l | default(missing) }}`, `list`, `['a', 'b']`},
	{`{{ missing | default(missing2) }}`, `ERROR`, `'missing2' is undefined. 'missing2' is undefined`},
	{`{{ lazybad }}`, `ERROR`, `{{ nothere }}: 'nothere' is undefined. 'nothere' is undefined. {{ nothere }}: 'nothere' is undefined. 'nothere' is undefined`},
	{`{{ lazybad2 }}`, `ERROR`, `['{{ nothere2 }}']: 'nothere2' is undefined. 'nothere2' is undefined. ['{{ nothere2 }}']: 'nothere2' is undefined. 'nothere2' is undefined`},
	{`{{ 5 | dict2items }}`, `ERROR`, `Unexpected templating type error occurred on ({{ 5 | dict2items }}): dict2items requires a dictionary, got <class 'int'> instead.. dict2items requires a dictionary, got <class 'int'> instead.`},
	{`{{ 'a' | items2dict }}`, `ERROR`, `Unexpected templating type error occurred on ({{ 'a' | items2dict }}): items2dict requires a list, got <class 'str'> instead.. items2dict requires a list, got <class 'str'> instead.`},
	{`{{ [1] | items2dict }}`, `ERROR`, `Unexpected templating type error occurred on ({{ [1] | items2dict }}): items2dict requires a list of dictionaries, got [1] instead.. items2dict requires a list of dictionaries, got [1] instead.`},
	{`{{ l | selectattr('x') | list }}`, `ERROR`, `'str object' has no attribute 'x'. 'str object' has no attribute 'x'`},
	{`{{ users | map(attribute='nope') | list }}`, `ERROR`, `'dict object' has no attribute 'nope'. 'dict object' has no attribute 'nope'`},
	{`{{ users | map(attribute='nope', default='z') | list }}`, `list`, `['z', 'z', 'z']`},
	{`{{ '1' == 1 }}`, `bool`, `False`},
	{`{{ 1 in 'abc' }}`, `ERROR`, `Unexpected templating type error occurred on ({{ 1 in 'abc' }}): 'in <string>' requires string as left operand, not int. 'in <string>' requires string as left operand, not int`},
	{`{{ users[0].name }}`, `str`, `'bob'`},
	{`{{ users.0.name }}`, `str`, `'bob'`},
	{`{{ users[-1]['age'] }}`, `str`, `'35'`},
	{`{{ l['a'] }}`, `ERROR`, `'list object' has no attribute 'a'. 'list object' has no attribute 'a'`},
	{`{{ (1, 2)[0] }}`, `str`, `'1'`},
	{`{{ d.items() | list | first }}`, `str`, `"('k', 'v')"`},
	{`{{ 'abc'[1] }}`, `str`, `'b'`},
	{`{{ n ** 1000 }}`, `str`, `'1322070819480806636890455259752144365965422032752148167664920368226828597346704899540778313850608061963909777696872582355950954582100618911865342725257953674027620225198320803878014774228964841274390400117588618041128947815623094438061566173054086674490506178125480344405547054397038895817465368254916136220830268563778582290228416398307887896918556404084898937609373242171846359938695516765018940588109060426089671438864102814350385648747165832010614366132173102768902855220001'`},
	{`{{ 'x' * 3 }} {{ [1] * 3 }}`, `str`, `'xxx [1, 1, 1]'`},
	{`{{ true + 1 }}`, `str`, `'2'`},
	{`{{ 1.5 | int }} {{ -1.5 | int }} {{ '-3' | int }} {{ '1_000' | int }} {{ '08' | int }} {{ '1e3' | int }}`, `str`, `'1 -1 -3 1000 8 1000'`},
	{`{{ 'inf' | float }} {{ 'nan' | float }} {{ 'x' | float }}`, `str`, `'inf nan 0.0'`},
	{`{{ 3.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 1.0e16 }} {{ 123456789012345678.0 }}`, `str`, `'3.0 1e+20 1e-05 1e+16 1.2345678901234568e+17'`},
	{`{{ -0.0 }}`, `str`, `'-0.0'`},
	{`{{ 1 // 0 }}`, `ERROR`, `integer division or modulo by zero`},
	{`{{ 7.5 // 2 }} {{ 7.5 % 2 }} {{ -7.5 % 2 }}`, `str`, `'3.0 1.5 0.5'`},
	{`{{ 10 / 5 }}`, `str`, `'2.0'`},
	{`{{ d | dictsort(reverse=true) }}`, `list`, `[('n', 1), ('k', 'v')]`},
	{`{{ 'a-b' | split('-', 1) }}`, `list`, `['a', 'b']`},
	{`{{ 'x' | default }}`, `str`, `'x'`},
	{`{{ 'abc' | length is number }}`, `bool`, `True`},
	{`{{ s is string and s is not mapping }}`, `bool`, `True`},
	{`{{ 'A' is upper }} {{ 'a1' is lower }}`, `str`, `'True True'`},
	{`{{ [true, false] is any }} {{ [true, false] is all }}`, `str`, `'True False'`},
	{`{{ 'yes' is truthy(convert_bool=true) }}`, `bool`, `True`},
	{`{{ ['a'] is contains('a') }}`, `bool`, `True`},
	{`{{ none | default('x') }} {{ none | default('x', true) }}`, `str`, `' x'`},
	{`{{ {'a': none} }}`, `dict`, `{'a': None}`},
	{`{{ [none] }}`, `list`, `[None]`},
	{`{{ [none] | join(',') }}`, `str`, `'None'`},
	{`{{ '' }}`, `str`, `''`},
	{`{{ "" | length }}`, `str`, `'0'`},
	{`{{ "\t" }}`, `str`, `'\\t'`},
	{`{{ 'a\nb' }}`, `str`, `'a\\nb'`},
	{`{% set x = 'a\nb' %}{{ x | length }}`, `str`, `'3'`},
	{"line1\n{{ n }}\n", `str`, `'line1\n3\n'`},
	{"{% for i in [1,2] %}\n{{ i }}\n{% endfor %}\n", `str`, `'1\n2\n'`},
	{`  {%- if true -%}  yes  {%- endif -%}  `, `str`, `'yes'`},
	{`{% raw %}{{ n }}{% endraw %}`, `str`, `'{{ n }}'`},
	{"{# c #}\nx", `str`, `'x'`},
	{"{{ n }}\n\n", `str`, `'3\n\n'`},
	{"[{{ n }}]\n", `list`, `[3]`},
	{`{% for x in [] %}a{% else %}empty{% endfor %}`, `str`, `'empty'`},
	{`{% for x in [1,2,3] if x > 1 %}{{ loop.index }}/{{ loop.length }} {% endfor %}`, `str`, `'1/2 2/2 '`},
	{`{% set a, b = [1, 2] %}{{ a + b }}`, `str`, `'3'`},
	{`{% set blk %}hi {{ n }}{% endset %}{{ blk | upper }}`, `str`, `'HI 3'`},
	{`{{ loop }}`, `ERROR`, `'loop' is undefined. 'loop' is undefined`},
	{`{% for a in [[1,2],[3,4]] %}{% for b in a %}{{ loop.index }}{% endfor %}{% endfor %}`, `str`, `'1212'`},
	{`{% for x in l %}{{ loop.cycle('o', 'e') }}{% endfor %}`, `str`, `'oe'`},
	{`{% for x in l %}{{ loop.first }}{{ loop.revindex }}{% endfor %}`, `str`, `'True2False1'`},
	{`{{ {'a': 1}.a }}`, `str`, `'1'`},
	{`{{ d.k | upper }}`, `str`, `'V'`},
	{`{{ dd | items | list }}`, `list`, `[('b', 1), ('a', 2)]`},
	{`{{ dd.values() | list | sum }}`, `str`, `'3'`},
	{`{{ d.get('missing') }}`, `str`, `''`},
	{`{{ d.get('missing') is none }}`, `bool`, `True`},
	{`{{ l.index('b') }} {{ l.count('a') }}`, `str`, `'1 1'`},
	{`{{ 'a b  c'.split() }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'x\ny'.splitlines() }}`, `str`, `"['a', 'b', 'c'] ['a,b', 'c'] ['x\\\\ny']"`},
	{`{{ '  hi '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'hi'.startswith('h') }}`, `str`, `'hi|hi|True'`},
	{`{{ 'hello'.find('l') }} {{ 'abc'.replace('b', 'B') }} {{ '-'.join(['a', 'b']) }}`, `str`, `'2 aBc a-b'`},
	{`{{ '{0}:{1}'.format('a', 'b') }} {{ '{x}'.format(x=1) }} {{ '{:>5}|{:<3}|{:^5}|'.format('a', 'b', 'c') }} {{ '{:05.2f}'.format(3.14159) }} {{ '{:,}'.format(1234567) }}`, `str`, `'a:b 1     a|b  |  c  | 03.14 1,234,567'`},
	{`{{ '%5s|%-5s|%05d|%+d|%.2e|%g|%G' % ('a', 'b', 42, 5, 12345.678, 0.00001, 1e20) }}`, `str`, `'    a|b    |00042|+5|1.23e+04|1e-05|1E+20'`},
	{`{{ '%c%c' % (65, 'b') }} {{ '%r' % 'x' }} {{ '%%' % () }}`, `str`, `"Ab 'x' %"`},
	{`{{ '%.3s' % 'abcdef' }} {{ '%*d' % (5, 3) }}`, `str`, `'abc     3'`},
	{`{{ 'abc' | regex_replace('(?P<x>b)', '[\\g<x>]') }}`, `str`, `'a[\\g<x>]c'`},
	{`{{ 'a.b.c' | regex_replace('\\.', '/') }}`, `str`, `'a.b.c'`},
	{`{{ 'foo=1 bar=2' | regex_findall('(\\w+)=(\\d)') }}`, `list`, `[]`},
	{`{{ 'abc' | regex_search('(b)(c)', '\\2', '\\1') }}`, `ERROR`, `'NoneType' object has no attribute 'group'`},
	{`{{ 'abc' | regex_search('z') }}`, `str`, `''`},
	{`{{ 'ABC' | regex_search('b', ignorecase=true) }}`, `str`, `'B'`},
	{`{{ 'a\nb' | regex_replace('^b', 'B', multiline=true) }}`, `str`, `'a\\nb'`},
	{`{{ '192.168.1.1' | regex_escape }}`, `str`, `'192\\.168\\.1\\.1'`},
	{`{{ none | ternary('a', 'b', 'c') }}`, `str`, `'c'`},
	{`{{ 'a' | ternary(missing, 'b') }}`, `ERROR`, `'missing' is undefined. 'missing' is undefined`},
	{`{{ [[1,2],[3]] | flatten }}`, `list`, `[1, 2, 3]`},
	{`{{ [1, none, 'None', [2, none]] | flatten }}`, `list`, `[1, 2]`},
	{`{{ ['a','b'] | product(repeat=2) | list }}`, `list`, `[('a', 'a'), ('a', 'b'), ('b', 'a'), ('b', 'b')]`},
	{`{{ [1,2,3] | zip('ab') | list }}`, `list`, `[(1, 'a'), (2, 'b')]`},
	{`{{ '/a/b/' | basename }}|{{ '/a/b/' | dirname }}|{{ 'a.tar.gz' | splitext }}|{{ '.bashrc' | splitext }}`, `str`, `"|/a/b|('a.tar', '.gz')|('.bashrc', '')"`},
	{`{{ ['/a', 'b', '/c', 'd'] | path_join }}`, `str`, `'/c/d'`},
	{`{{ 8 | log(2) }} {{ 2 | pow(10) }} {{ 16 | root }} {{ 27 | root(3) }}`, `str`, `'3.0 1024.0 4.0 3.0'`},
	{`{{ 0 | extract(['a', 'b']) }} {{ 'k' | extract(d) }}`, `str`, `'a v'`},
	{`{{ 'www.example.com' | to_uuid }}`, `str`, `'69680a13-a686-5d20-a166-0e7b3b17ef84'`},
	{`{{ 'é' | b64encode }}`, `str`, `'w6k='`},
	{`{{ 'hello' | checksum }} {{ 'hello' | md5 }} {{ 'hello' | hash('sha256') }}`, `str`, `'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d 5d41402abc4b2a76b9719d911017c592 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'`},
	{`{{ {'a': 1, 'b': [1, 2], 'c': {'d': 'x'}} | to_yaml }}`, `str`, `'a: 1\nb: [1, 2]\nc: {d: x}\n'`},
	{`{{ {'a': 1, 'b': [1, 2], 'c': {'d': 'x'}} | to_nice_yaml }}`, `str`, `'a: 1\nb:\n- 1\n- 2\nc:\n    d: x\n'`},
	{`{{ [{'a': 1, 'b': 2}, {'c': [3, 4]}] | to_yaml }}`, `str`, `'- {a: 1, b: 2}\n- c: [3, 4]\n'`},
	{`{{ [{'a': 1, 'b': 2}, {'c': [3, 4]}] | to_nice_yaml }}`, `str`, `'-   a: 1\n    b: 2\n-   c:\n    - 3\n    - 4\n'`},
	{`{{ [[1, 2], [3]] | to_nice_yaml }}`, `str`, `'-   - 1\n    - 2\n-   - 3\n'`},
	{`{{ {'k': 'multi\nline'} | to_yaml }}`, `str`, `'{k: multi\\nline}\n'`},
	{`{{ {'k': 'it''s'} | to_yaml }}`, `str`, `'{k: its}\n'`},
	{`{{ {'yes': 'no', 'n': none, 'e': '', 'sp': ' lead', 'colon': 'a: b', 'hash': 'a #b', 'num': '12', 'f': 1.5, 'b': true} | to_yaml }}`, `str`, `"{b: true, colon: 'a: b', e: '', f: 1.5, hash: 'a #b', n: null, num: '12', sp: ' lead',\n  'yes': 'no'}\n"`},
	{`{{ 'a' | to_yaml }}`, `str`, `'a\n'`},
	{`{{ 5 | to_yaml }}`, `str`, `'5\n'`},
	{`{{ [] | to_yaml }}`, `str`, `'[]\n'`},
	{`{{ {} | to_nice_yaml }}`, `str`, `'{}\n'`},
	{`{{ {'z': {'y': {'x': [1, {'w': 2}]}}} | to_nice_yaml(indent=2) }}`, `str`, `'z:\n  y:\n    x:\n    - 1\n    - w: 2\n'`},
	{`{{ {'long': 'word ' * 30} | to_yaml }}`, `str`, `"{long: 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '}\n"`},
	{`{{ ['word ' * 30] | to_yaml }}`, `str`, `"['word word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word ']\n"`},
	{`{{ {'é': 'ü'} | to_yaml }}`, `str`, `'{é: ü}\n'`},
	{`{{ {'k': 'tab\there'} | to_yaml }}`, `str`, `'{k: tab\\there}\n'`},
	{`{{ {'list': ['a', 'b']} | to_yaml(default_flow_style=false) }}`, `str`, `'list:\n- a\n- b\n'`},
	{`{{ {'b': 1, 'a': 2} | to_yaml(sort_keys=false) }}`, `str`, `'{b: 1, a: 2}\n'`},
}

// TestRenderAsAnsible renders each reference template and compares the
// value's type and repr (or the error's message, as Ansible words it) with
// Ansible's.
func TestRenderAsAnsible(t *testing.T) {
	for _, tc := range referenceCases {
		t.Run(tc.src, func(t *testing.T) {
			tv := newTestVars(nil, yamlDict(t, referenceVars))
			v, err := tv.render(tc.src)
			if tc.typ == "ERROR" {
				if err == nil {
					t.Fatalf("render(%q) = %s %s, want the error %s", tc.src, TypeName(v), Repr(v), tc.want)
				}
				msg := err.Error()
				if IsUndefinedError(err) {
					// Ansible's AnsibleUndefinedVariable repeats the
					// Jinja2 error it wraps.
					msg += ". " + msg
				}
				if msg != tc.want {
					t.Errorf("render(%q) error:\n got: %s\nwant: %s", tc.src, msg, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("render(%q): %v", tc.src, err)
			}
			if got := TypeName(v); got != tc.typ {
				t.Errorf("render(%q) type = %s, want %s", tc.src, got, tc.typ)
			}
			if got := Repr(v); got != tc.want {
				t.Errorf("render(%q):\n got: %s\nwant: %s", tc.src, got, tc.want)
			}
		})
	}
}
