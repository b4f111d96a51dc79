"""Safe arithmetic formulas of computed fields.

A formula is parsed with :mod:`ast` and only these nodes are accepted: numbers, field names,
``+ - * /``, unary ``+``/``-`` and parentheses. Nothing is ever passed to ``eval``. Arithmetic is
done in :class:`~decimal.Decimal`; a missing operand or a division by zero gives ``None`` (an empty
value), never an exception.
"""

from __future__ import annotations

import ast
import decimal
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal

from .exceptions import FormulaError
from .i18n import _

MAX_LENGTH = 500

_BINARY: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[Decimal], Decimal]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_CONTEXT = decimal.Context(
    prec=28, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
)


class Formula:
    """A parsed formula.

    Attributes:
        text: the formula as written, e.g. ``"trained / staff * 100"``.
        names: the field names it uses, in order of first appearance.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise FormulaError(_("Công thức không được để trống"))
        if len(text) > MAX_LENGTH:
            raise FormulaError(_("Công thức quá dài (tối đa {n} ký tự)", n=MAX_LENGTH))
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(_("Công thức sai cú pháp: {text}", text=text)) from exc
        self.text = text
        self._body = tree.body
        self.names: list[str] = []
        self._check(self._body)

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            self._check(node.operand)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            pass
        elif isinstance(node, ast.Name):
            if node.id not in self.names:
                self.names.append(node.id)
        else:
            raise FormulaError(
                _(
                    "Công thức chỉ được dùng số, tên trường, + - * / và dấu ngoặc: {text}",
                    text=self.text,
                )
            )

    def evaluate(self, values: Mapping[str, Decimal | int | None]) -> Decimal | None:
        """Compute the formula; ``None`` when an operand is empty or on division by zero."""
        with decimal.localcontext(_CONTEXT):
            try:
                return self._eval(self._body, values)
            except (_Empty, decimal.DecimalException):
                return None

    def _eval(self, node: ast.AST, values: Mapping[str, Decimal | int | None]) -> Decimal:
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, values)
            right = self._eval(node.right, values)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, values))
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        assert isinstance(node, ast.Name)
        value = values.get(node.id)
        if value is None:
            raise _Empty
        return Decimal(value)

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


class _Empty(Exception):
    pass
