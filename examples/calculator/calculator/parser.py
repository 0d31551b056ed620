"""Recursive-descent parser from tokens to the syntax tree of `calculator.nodes`.

Grammar, loosest binding first:

    statement  := "let" NAME "=" expression | expression
    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/" | "%") unary)*
    unary      := ("-" | "+") unary | power
    power      := primary ("^" unary)?          right-associative: 2^3^2 = 2^(3^2)
    primary    := NUMBER | NAME | NAME "(" arguments? ")" | "(" expression ")"
    arguments  := expression ("," expression)*

`power` binds tighter than unary minus, so -2^2 is -(2^2) = -4, as in mathematics.
"""

from __future__ import annotations

from calculator.errors import ParseError
from calculator.nodes import Assignment, BinaryOp, Call, Expr, Name, Number, Statement, UnaryOp
from calculator.tokens import Kind, Token, tokenize

# Deeper input would hit Python's recursion limit; a clear error is better than a crash.
MAX_DEPTH = 100


def parse(text: str) -> Expr:
    """Parse one expression; `let` is not allowed here."""
    parser = _Parser(_tokens(text))
    expr = parser.expression()
    parser.expect_end()
    return expr


def parse_statement(text: str) -> Statement:
    """Parse an expression or a `let name = expression` assignment."""
    parser = _Parser(_tokens(text))
    statement = parser.statement()
    parser.expect_end()
    return statement


def _tokens(text: str) -> list[Token]:
    tokens = tokenize(text)
    if tokens[0].kind is Kind.END:
        # Said plainly: "expected a number, found end of input" would puzzle here.
        raise ParseError("empty expression")
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    # -- helpers -----------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.current
        if token.kind is not Kind.END:
            self.position += 1
        return token

    def at_operator(self, *ops: str) -> bool:
        return self.current.kind is Kind.OPERATOR and self.current.text in ops

    def expect(self, kind: Kind) -> Token:
        if self.current.kind is not kind:
            raise self.unexpected(f"expected {kind.value}")
        return self.advance()

    def expect_end(self) -> None:
        if self.current.kind is not Kind.END:
            raise self.unexpected("expected an operator")

    def unexpected(self, hint: str) -> ParseError:
        token = self.current
        found = "end of input" if token.kind is Kind.END else repr(token.text)
        return ParseError(f"{hint}, found {found}", token.column)

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"expression nested more than {MAX_DEPTH} levels deep",
                             self.current.column)

    # -- grammar -----------------------------------------------------------------------

    def statement(self) -> Statement:
        first = self.current
        if first.kind is Kind.NAME and first.text == "let":
            self.advance()
            name = self.expect(Kind.NAME)
            self.expect(Kind.EQUALS)
            return Assignment(name.text, self.expression(), first.column)
        return self.expression()

    def expression(self) -> Expr:
        left = self.term()
        while self.at_operator("+", "-"):
            op = self.advance()
            left = BinaryOp(op.text, left, self.term(), op.column)
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.at_operator("*", "/", "%"):
            op = self.advance()
            left = BinaryOp(op.text, left, self.unary(), op.column)
        return left

    def unary(self) -> Expr:
        if self.at_operator("-", "+"):
            op = self.advance()
            self.nested()
            operand = self.unary()
            self.depth -= 1
            # Unary plus changes nothing, so it leaves no node behind.
            return operand if op.text == "+" else UnaryOp("-", operand, op.column)
        return self.power()

    def power(self) -> Expr:
        base = self.primary()
        if self.at_operator("^"):
            op = self.advance()
            # The exponent is a unary, so 2^-1 works and 2^3^2 recurses to the right.
            self.nested()
            exponent = self.unary()
            self.depth -= 1
            return BinaryOp("^", base, exponent, op.column)
        return base

    def primary(self) -> Expr:
        token = self.current
        if token.kind is Kind.NUMBER:
            self.advance()
            return Number(float(token.text), token.column)
        if token.kind is Kind.NAME:
            self.advance()
            if self.current.kind is Kind.LPAREN:
                return Call(token.text, self.arguments(), token.column)
            return Name(token.text, token.column)
        if token.kind is Kind.LPAREN:
            self.advance()
            self.nested()
            inner = self.expression()
            self.depth -= 1
            self.expect(Kind.RPAREN)
            return inner
        raise self.unexpected("expected a number, a name or '('")

    def arguments(self) -> tuple[Expr, ...]:
        self.expect(Kind.LPAREN)
        self.nested()
        args: list[Expr] = []
        if self.current.kind is not Kind.RPAREN:
            args.append(self.expression())
            while self.current.kind is Kind.COMMA:
                self.advance()
                args.append(self.expression())
        self.depth -= 1
        if self.current.kind is not Kind.RPAREN:
            raise self.unexpected("expected ',' or ')'")
        self.advance()
        return tuple(args)
