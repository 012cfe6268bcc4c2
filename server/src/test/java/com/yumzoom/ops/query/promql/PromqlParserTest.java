package com.yumzoom.ops.query.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.query.promql.Ast.*;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromqlParserTest {

  private static Expr parse(String s) {
    return Parser.parse(s);
  }

  private static NumberLiteral num(double v) {
    return new NumberLiteral(v);
  }

  private static Binary bin(String op, Expr l, Expr r) {
    return new Binary(op, l, r, false, Matching.DEFAULT);
  }

  @Test
  void multiplicationBindsTighterThanAddition() {
    assertThat(parse("1 + 2 * 3")).isEqualTo(bin("+", num(1), bin("*", num(2), num(3))));
    assertThat(parse("1 * 2 + 3")).isEqualTo(bin("+", bin("*", num(1), num(2)), num(3)));
  }

  @Test
  void subtractionIsLeftAssociative() {
    assertThat(parse("10 - 4 - 3")).isEqualTo(bin("-", bin("-", num(10), num(4)), num(3)));
  }

  @Test
  void powerIsRightAssociativeAndBindsTighterThanUnaryMinus() {
    assertThat(parse("2 ^ 3 ^ 2")).isEqualTo(bin("^", num(2), bin("^", num(3), num(2))));
    assertThat(parse("-2 ^ 2")).isEqualTo(new Unary(true, bin("^", num(2), num(2))));
    assertThat(parse("1 - -1")).isEqualTo(bin("-", num(1), num(-1)));
  }

  @Test
  void setOperatorsHaveLowestPrecedenceWithOrBelowAnd() {
    Expr e = parse("a or b and c");
    assertThat(e).isInstanceOf(Binary.class);
    Binary or = (Binary) e;
    assertThat(or.op()).isEqualTo("or");
    assertThat(((Binary) or.rhs()).op()).isEqualTo("and");
    Binary cmp = (Binary) parse("a + 1 > b unless c");
    assertThat(cmp.op()).isEqualTo("unless");
    assertThat(((Binary) cmp.lhs()).op()).isEqualTo(">");
  }

  @Test
  void selectorWithAllFourMatchers() {
    VectorSelector vs = (VectorSelector) parse("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~'h'}");
    assertThat(vs.name()).isEqualTo("foo");
    assertThat(vs.matchers())
        .extracting(LabelMatcher::toString)
        .containsExactly("__name__=\"foo\"", "a=\"b\"", "c!=\"d\"", "e=~\"f.*\"", "g!~\"h\"");
  }

  @Test
  void regexMatchersAreFullyAnchored() {
    LabelMatcher m = LabelMatcher.of("a", LabelMatcher.Op.RE, "f|g");
    assertThat(m.matches("f")).isTrue();
    assertThat(m.matches("ff")).isFalse();
    assertThat(m.matches("xg")).isFalse();
    assertThat(LabelMatcher.of("a", LabelMatcher.Op.NRE, "").matches("")).isFalse();
    assertThat(LabelMatcher.of("a", LabelMatcher.Op.RE, "a.b").matches("a\nb")).isTrue();
  }

  @Test
  void rangeOffsetAndAtModifiers() {
    MatrixSelector ms = (MatrixSelector) parse("foo[1h30m] offset -5m @ 100");
    assertThat(ms.rangeMs()).isEqualTo(5_400_000);
    assertThat(ms.selector().mods()).isEqualTo(new Modifiers(-300_000, AtKind.TIMESTAMP, 100_000));
    VectorSelector start = (VectorSelector) parse("foo @ start() offset 1m");
    assertThat(start.mods()).isEqualTo(new Modifiers(60_000, AtKind.START, 0));
    VectorSelector end = (VectorSelector) parse("foo @ end()");
    assertThat(end.mods().at()).isEqualTo(AtKind.END);
  }

  @Test
  void subqueriesWithAndWithoutStep() {
    Subquery sq = (Subquery) parse("rate(foo[5m])[30m:1m] offset 10m");
    assertThat(sq.rangeMs()).isEqualTo(1_800_000);
    assertThat(sq.stepMs()).isEqualTo(60_000);
    assertThat(sq.mods().offsetMs()).isEqualTo(600_000);
    assertThat(sq.expr()).isInstanceOf(Call.class);
    assertThat(((Subquery) parse("foo[30m:]")).stepMs()).isZero();
  }

  @Test
  void aggregationsInPrefixAndSuffixFormWithParameters() {
    assertThat(parse("sum by (a, b) (foo)"))
        .isEqualTo(new Aggregation("sum", null, sel("foo"), List.of("a", "b"), false));
    assertThat(parse("sum(foo) without (a)"))
        .isEqualTo(new Aggregation("sum", null, sel("foo"), List.of("a"), true));
    assertThat(parse("topk(3, foo)"))
        .isEqualTo(new Aggregation("topk", num(3), sel("foo"), List.of(), false));
    assertThat(parse("count_values(\"v\", foo)"))
        .isEqualTo(
            new Aggregation("count_values", new StringLiteral("v"), sel("foo"), List.of(), false));
    assertThat(((Aggregation) parse("SUM BY (a) (foo)")).op()).isEqualTo("sum");
  }

  private static VectorSelector sel(String name) {
    return (VectorSelector) parse(name);
  }

  @Test
  void vectorMatchingModifiers() {
    Binary b = (Binary) parse("a * on(x) group_left(y, z) b");
    assertThat(b.matching())
        .isEqualTo(new Matching(true, true, List.of("x"), Card.MANY_TO_ONE, List.of("y", "z")));
    Binary r = (Binary) parse("a / ignoring(x) group_right b");
    assertThat(r.matching())
        .isEqualTo(new Matching(true, false, List.of("x"), Card.ONE_TO_MANY, List.of()));
    Binary bool = (Binary) parse("a > bool on() b");
    assertThat(bool.returnBool()).isTrue();
  }

  @Test
  void functionsCommentsStringsAndNumbers() {
    assertThat(parse("rate(foo[5m]) # per second"))
        .isEqualTo(new Call("rate", List.of(new MatrixSelector(sel("foo"), 300_000))));
    assertThat(parse("`a\\b`")).isEqualTo(new StringLiteral("a\\b"));
    assertThat(parse("\"a\\nb\"")).isEqualTo(new StringLiteral("a\nb"));
    assertThat(parse("0x1F")).isEqualTo(num(31));
    assertThat(parse("1e3")).isEqualTo(num(1000));
    assertThat(((NumberLiteral) parse("-Inf")).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(parse("(1)")).isEqualTo(new Paren(num(1)));
    assertThat(parse("{__name__=\"foo\"}")).isInstanceOf(VectorSelector.class);
  }

  @Test
  void errorsNameThePositionAndToken() {
    assertThatThrownBy(() -> parse("sum(foo"))
        .isInstanceOf(PromqlException.class)
        .hasMessage("1:8: parse error: unexpected end of input, expected \")\"");
    assertThatThrownBy(() -> parse("foo{a=}"))
        .hasMessage("1:7: parse error: unexpected \"}\" in label matching, expected string");
    assertThatThrownBy(() -> parse("nosuch(foo)"))
        .hasMessage("1:1: parse error: unknown function with name \"nosuch\"");
    assertThatThrownBy(() -> parse("sum(\n  foo +)"))
        .hasMessage("2:8: parse error: unexpected \")\"");
    assertThatThrownBy(() -> parse("1 > 2"))
        .hasMessageContaining("comparisons between scalars must use BOOL modifier");
    assertThatThrownBy(() -> parse("foo[5m] + 1"))
        .hasMessageContaining("binary expression must contain only scalar and instant vector");
    assertThatThrownBy(() -> parse("rate(foo)"))
        .hasMessageContaining("expected type range vector in call to function \"rate\"");
    assertThatThrownBy(() -> parse("{}"))
        .hasMessageContaining("vector selector must contain at least one non-empty matcher");
    PromqlException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            PromqlException.class, () -> parse("foo bar"));
    assertThat(e.position()).isEqualTo(4);
    assertThat(e.errorType()).isEqualTo("bad_data");
  }
}
