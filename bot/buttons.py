"""The one base of the bot's buttons: state in the custom id, one press shape.

Every button the bot sends is a ``PersistentButton``, a discord.py
``DynamicItem`` (as in discord.py's ``examples/views/dynamic_counter.py``):
its state is written into its custom id by the class's ``id_format`` and
parsed back by a template built from the same format, so the button works
after any restart and nothing is read back from the wording of its message.

The state can be trusted as the bot wrote it: Discord delivers a press only
for a custom id its message carries (and discord.py drops any other), and
only the bot writes its messages' buttons. Who pressed cannot be trusted, so
a ``rep_only`` button checks the rep role again at every press.

A subclass names its id format, keeps its state under the format's names
(its constructor's parameters), and says what a press does::

    class HelpfulButton(PersistentButton, id_format="kb:helpful:{fact_id:row}"):
        def __init__(self, fact_id: int) -> None:
            self.fact_id = fact_id
            super().__init__(label="Helpful", style=discord.ButtonStyle.success)

        async def pressed(self, interaction: ButtonInteraction) -> None:
            await respond(interaction, Outgoing(content="Thanks."), ephemeral=True)

A field is ``{name:kind}``, the kind one of ``KINDS`` (parsed as an int) or
two or more words separated by ``|`` (parsed as the word).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from string import Formatter
from typing import Any, ClassVar, Self, TypeVar

import discord
from discord.ui import Button, DynamicItem

from bot.checks import require_rep
from bot.client import knowledge_of
from bot.errors import guarded
from bot.interactions import within_deadline
from bot.limits import BUTTON_LABEL_CHARS, ELLIPSIS, clip
from knowledge import KnowledgeBase

T = TypeVar("T")

ButtonInteraction = discord.Interaction[Any]
"""How discord.py types a button's interaction: for any client (see ``knowledge_of``)."""

CUSTOM_ID_CHARS = 100
"""Discord's longest custom id."""
KINDS = {
    "row": r"[0-9]{1,9}",  # a knowledge-base id: fact, question, proposal (0: none yet)
    "user": r"[0-9]{1,20}",  # a Discord user id
    "page": r"[0-9]{1,4}",
}
_WORDS = re.compile(r"[a-z]+(?:\|[a-z]+)+")


class IdFormat:
    """A custom id's layout, such as ``kb:reject:{fact_id:row}:{asker_id:user}``."""

    def __init__(self, text: str) -> None:
        self.fields: dict[str, str] = {}
        """Each field's name and kind, in order."""
        template, plain = "", ""
        for literal, name, spec, _ in Formatter().parse(text):
            template += re.escape(literal)
            plain += literal.replace("{", "{{").replace("}", "}}")
            if name is None:
                continue
            kind = spec or ""
            pattern = KINDS.get(kind) or (kind if _WORDS.fullmatch(kind) else None)
            if not name.isidentifier() or pattern is None or name in self.fields:
                raise TypeError(f"custom id format {text!r}: bad field {{{name}:{kind}}}")
            self.fields[name] = kind
            template += f"(?P<{name}>{pattern})"
            plain += f"{{{name}}}"
        self.template = re.compile(template)
        self._plain = plain

    def custom_id(self, button: object) -> str:
        """The custom id of ``button``, from its attributes named by the fields."""
        return self._plain.format(**{name: getattr(button, name) for name in self.fields})

    def state(self, match: re.Match[str]) -> dict[str, int | str]:
        """The fields of a custom id ``template`` matched, as the constructor takes them."""
        return {
            name: int(match[name]) if kind in KINDS else match[name]
            for name, kind in self.fields.items()
        }


class PersistentButton(
    DynamicItem[Button[Any]],
    # discord.py wants a template for every subclass; the base is never
    # registered, and this one matches no custom id.
    template=r"(?!)",
):
    """A button whose state is its custom id; see the module docstring."""

    id_format: ClassVar[IdFormat]
    rep_only: ClassVar[bool]

    def __init_subclass__(cls, *, id_format: str, rep_only: bool = False) -> None:
        cls.id_format = IdFormat(id_format)
        cls.rep_only = rep_only
        super().__init_subclass__(template=cls.id_format.template)

    def __init__(
        self,
        *,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Called by a subclass once it has set its state's attributes."""
        super().__init__(
            Button(
                label=clip(label, BUTTON_LABEL_CHARS, marker=ELLIPSIS),
                style=style,
                emoji=emoji,
                disabled=disabled,
                custom_id=self.id_format.custom_id(self),
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: ButtonInteraction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        restore: Callable[..., Self] = cls
        return restore(**cls.id_format.state(match))

    async def callback(self, interaction: ButtonInteraction) -> None:
        await guarded(interaction, lambda: self._press(interaction))

    async def _press(self, interaction: ButtonInteraction) -> None:
        if self.rep_only:
            await require_rep(interaction)
        await self.pressed(interaction)

    async def pressed(self, interaction: ButtonInteraction) -> None:
        """What a press does, once allowed; its errors reach the person as a command's do."""
        raise NotImplementedError

    @staticmethod
    async def run(
        interaction: ButtonInteraction, work: Callable[[KnowledgeBase], T], *, update: bool = False
    ) -> T:
        """``work`` on the knowledge base, deferring the press if it takes more than a moment.

        ``update``: the response will change the message the button is on.
        """
        return await within_deadline(
            interaction, knowledge_of(interaction).run(work), ephemeral=True, update=update
        )
