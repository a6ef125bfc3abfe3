import { describe, expect, it } from 'vitest';
import { goFloat } from './go-template-functions.js';
import { renderTemplate, TemplateError } from './go-template.js';

const data = {
  Values: {
    name: 'orders',
    n: 3,
    big: 1000000,
    on: true,
    off: false,
    empty: '',
    list: ['a', 'b'],
    map: { z: 1, a: 'x', yes: 'yes' },
    nested: { inner: { deep: 'd' } },
  },
  Release: { Name: 'rel', Namespace: 'ns' },
  Chart: { Name: 'ferry', Version: '0.1.0' },
};

const r = (src: string, helpers?: Record<string, string>) => renderTemplate(src, data, helpers);

describe('go-template renderer: supported constructs', () => {
  it('prints fields of ., $ and literals', () => {
    expect(r('{{ .Values.name }}/{{ $.Release.Name }}/{{ .Chart.Version }}')).toBe('orders/rel/0.1.0');
    expect(r('{{ "a\\tb" }}|{{ `raw\\n` }}|{{ 7 }}|{{ true }}')).toBe('a\tb|raw\\n|7|true');
  });

  it('prints YAML numbers as Go prints float64', () => {
    expect(r('{{ .Values.n }} {{ .Values.big }} {{ .Values.big | int }}')).toBe('3 1e+06 1000000');
    expect([goFloat(123456), goFloat(1234567), goFloat(0.5), goFloat(0.00001), goFloat(-2)]).toEqual([
      '123456',
      '1.234567e+06',
      '0.5',
      '1e-05',
      '-2',
    ]);
  });

  it('drops comments and trims around {{- and -}}', () => {
    expect(r('a  \n  {{- /* note */ -}}  \n  b')).toBe('ab');
    expect(r('a {{/* kept spaces */}} b')).toBe('a  b');
    expect(r('x:\n  {{- " y" }}\n')).toBe('x: y\n');
    expect(r('{{ .Values.name -}}  \n  !')).toBe('orders!');
  });

  it('if / else if / else', () => {
    const t =
      '{{ if .Values.off }}1{{ else if .Values.empty }}2{{ else if .Values.list }}3{{ else }}4{{ end }}';
    expect(r(t)).toBe('3');
    expect(r('{{ if .Values.missing }}x{{ else }}none{{ end }}')).toBe('none');
  });

  it('range over lists (with index) and maps (sorted keys), else when empty', () => {
    expect(r('{{ range .Values.list }}[{{ . }}]{{ end }}')).toBe('[a][b]');
    expect(r('{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}')).toBe('0=a;1=b;');
    expect(r('{{ range $k, $v := .Values.map }}{{ $k }},{{ end }}')).toBe('a,yes,z,');
    expect(r('{{ range .Values.missing }}x{{ else }}empty{{ end }}')).toBe('empty');
  });

  it('with rebinds dot, else when empty; $ stays the root', () => {
    expect(r('{{ with .Values.nested.inner }}{{ .deep }}{{ $.Values.name }}{{ end }}')).toBe('dorders');
    expect(r('{{ with .Values.empty }}x{{ else }}{{ .Values.name }}{{ end }}')).toBe('orders');
  });

  it('variables are scoped to their block', () => {
    expect(r('{{ $x := .Values.name }}{{ if true }}{{ $x := "inner" }}{{ $x }}{{ end }} {{ $x }}')).toBe(
      'inner orders',
    );
    expect(() => r('{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}')).toThrow(/undefined variable \$y/);
  });

  it('define and include, with $ bound to the included data', () => {
    const helpers = { '_h.tpl': '{{- define "greet" -}}hi {{ .deep }}{{ $.deep }}{{- end -}}' };
    expect(
      r(
        '{{ include "greet" .Values.nested.inner }}|{{ include "greet" .Values.nested.inner | trunc 4 }}',
        helpers,
      ),
    ).toBe('hi dd|hi d');
    const h2 = { '_h.tpl': '{{- define "n" -}}{{ .Values.name }}{{- end -}}' };
    expect(r('{{ include "n" . | quote }}', h2)).toBe('"orders"');
  });

  it('and / or short-circuit and return an operand; not', () => {
    expect(r('{{ if and .Values.missing .Values.missing.field }}x{{ else }}short{{ end }}')).toBe('short');
    expect(
      r('{{ or .Values.empty .Values.name }} {{ and .Values.name .Values.n }} {{ or .Values.off "" 0 }}'),
    ).toBe('orders 3 0');
    expect(r('{{ not .Values.on }} {{ not .Values.empty }}')).toBe('false true');
  });

  it('eq / ne compare strings and booleans', () => {
    expect(
      r('{{ eq .Values.name "orders" }} {{ eq .Values.name "a" "orders" }} {{ ne .Values.on false }}'),
    ).toBe('true true true');
  });

  it('default, quote, toYaml, indent, nindent', () => {
    expect(
      r('{{ default "d" .Values.empty }} {{ default "d" .Values.name }} {{ .Values.off | default 5 }}'),
    ).toBe('d orders 5');
    expect(r('{{ quote .Values.name .Values.n }} {{ .Values.on | quote }} {{ "a\\"b" | quote }}')).toBe(
      '"orders" "3" "true" "a\\"b"',
    );
    expect(r('{{ toYaml .Values.map }}')).toBe('a: x\n"yes": "yes"\nz: 1');
    expect(r('k:{{ toYaml .Values.list | nindent 2 }}')).toBe('k:\n  - a\n  - b');
    expect(r('{{ "a\\nb" | indent 3 }}')).toBe('   a\n   b');
  });

  it('trunc, trimSuffix, contains, printf, int, add, b64enc', () => {
    expect(r('{{ "abcdef" | trunc 3 }} {{ trunc -2 "abcdef" }} {{ "rel-" | trimSuffix "-" }}')).toBe(
      'abc ef rel',
    );
    expect(r('{{ contains "rel" .Release.Name }} {{ contains "x" "abc" }}')).toBe('true false');
    expect(r('{{ printf "%s-%d:%v %q 100%%" .Release.Name (.Values.n | int) .Values.on "q" }}')).toBe(
      'rel-3:true "q" 100%',
    );
    expect(r('{{ add .Values.n 57 }} {{ "42" | int }} {{ 2.9 | int }}')).toBe('60 42 2');
    expect(r('{{ b64enc "ferry" }}')).toBe('ZmVycnk=');
  });

  it('required passes a value through and fails on nil or ""; fail always fails', () => {
    expect(r('{{ required "need name" .Values.name }}')).toBe('orders');
    expect(() => r('{{ required "need x" .Values.x }}')).toThrow(/need x/);
    expect(() => r('{{ required "need empty" .Values.empty }}')).toThrow(/need empty/);
    expect(() => r('{{ if true }}{{ fail "stop here" }}{{ end }}')).toThrow(/stop here/);
  });
});

describe('go-template renderer: refuses what it does not implement', () => {
  const refused: [string, RegExp][] = [
    ['{{ lower "A" }}', /function "lower" is not supported/],
    ['{{ if false }}{{ tpl "x" . }}{{ end }}', /function "tpl" is not supported/],
    ['{{ template "x" . }}', /"template" is not supported/],
    ['{{ $x := 1 }}{{ $x = 2 }}', /assignment/],
    ["{{ 'a' }}", /unsupported syntax/],
    ['{{ 0x1F }}', /unsupported number/],
    ['{{ (.Values).name }}', /parenthesised pipeline/],
    ['{{ .Values.missing }}', /nil \(missing\)/],
    ['{{ .Values.map }}', /print it with toYaml/],
    ['{{ .Values.missing.field }}', /nil pointer evaluating \.Values\.missing\.field/],
    ['{{ .Values.name.field }}', /not a map/],
    ['{{ .Values.n | indent 2 }}', /expected a string/],
    ['{{ indent .Values.n "x" }}', /expected an int, got float64 3/],
    ['{{ eq .Values.n 3 }}', /only strings and booleans/],
    ['{{ eq .Values.name true }}', /incompatible types/],
    ['{{ printf "%x" 1 }}', /verb %x/],
    ['{{ printf "%s" .Values.n }}', /expected a string/],
    ['{{ .Values.missing | quote }}', /quote: value is nil/],
    ['{{ if true }}x', /unclosed if/],
    ['{{ end }}', /end without an open block/],
    ['{{ range $k, $v := .Values.list }}{{ else if true }}{{ end }}', /else if inside range/],
    ['{{ "x" "y" }}', /non-function/],
    ['{{ .Values.name | .Values.name }}', /only a function can take a piped value/],
    ['{{ include "nope" . }}', /no template "nope"/],
    ['{{ trunc 3 }}', /trunc takes 2 arguments, got 1/],
    ['{{ .Values.name-}}', /trim marker|unsupported/],
    ['{{/* unclosed }}', /unclosed comment/],
  ];
  for (const [src, message] of refused) {
    it(`throws on ${src}`, () => {
      expect(() => r(src)).toThrow(TemplateError);
      expect(() => r(src)).toThrow(message);
    });
  }

  it('names file and line in errors', () => {
    expect(() => r('a\nb\n{{ lower "x" }}')).toThrow(/^template:3: /);
  });

  it('refuses a template defined twice', () => {
    expect(() =>
      r('x', { 'a.tpl': '{{ define "t" }}1{{ end }}', 'b.tpl': '{{ define "t" }}2{{ end }}' }),
    ).toThrow(/defined twice/);
  });
});
