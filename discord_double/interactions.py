"""The bot's answers to interactions: the one callback Discord allows per
interaction (within its deadline), then edits of the original and follow-ups."""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from discord_double.messages import MessagesMixin
from discord_double.protocol import JSON, CallbackType, MessageFlag, now_iso
from discord_double.records import InjectedInteraction
from discord_double.responses import RestCall, error, form_error, json_response


class InteractionsMixin(MessagesMixin):
    async def _rest_interaction_callback(self, call: RestCall) -> web.Response:
        interaction = self._interactions.get(int(call.params["interaction_id"]))
        if interaction is None or interaction.token != call.params["interaction_token"]:
            return error(404, 10062, "Unknown interaction")
        if time.monotonic() - interaction.created_at > self.ack_deadline:
            return error(404, 10062, "Unknown interaction")
        if interaction.response_type is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = call.json if isinstance(call.json, dict) else {}
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        if ctype in (CallbackType.CHANNEL_MESSAGE, CallbackType.UPDATE_MESSAGE):
            invalid = self._invalid_message_body(data, edit=ctype == CallbackType.UPDATE_MESSAGE)
            if invalid is not None:
                return invalid
        handler = _CALLBACK_HANDLERS.get(ctype)
        if handler is None:
            return form_error(
                "type", "BASE_TYPE_CHOICES", f"Value must be one of {sorted(_CALLBACK_HANDLERS)}."
            )
        if ctype == CallbackType.UPDATE_MESSAGE and interaction.message_id is None:
            return error(400, 40004, "Cannot update a message for this interaction type")
        interaction.response_type = ctype
        resource = await handler(self, interaction, data)
        # discord.py asks for the response (?with_response=1) on every callback.
        return json_response(self._callback_response(interaction, ctype, data, resource))

    def _callback_response(
        self, interaction: InjectedInteraction, ctype: int, data: JSON, resource: JSON
    ) -> JSON:
        info: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(int(data.get("flags") or 0) & MessageFlag.EPHEMERAL),
        }
        if interaction.original_message_id is not None:
            info["response_message_id"] = str(interaction.original_message_id)
        return {"interaction": info, "resource": resource}

    async def _cb_message(self, interaction: InjectedInteraction, data: JSON) -> JSON:
        message = self._bot_message(interaction.channel, data, interaction)
        interaction.original_message_id = int(message["id"])
        await self._echo("MESSAGE_CREATE", message)
        return {"type": int(CallbackType.CHANNEL_MESSAGE), "message": message}

    async def _cb_deferred_message(self, interaction: InjectedInteraction, data: JSON) -> JSON:
        flags = int(data.get("flags") or 0) | int(MessageFlag.LOADING)
        message = self._bot_message(
            interaction.channel, {"content": "", "flags": flags}, interaction
        )
        interaction.original_message_id = int(message["id"])
        await self._echo("MESSAGE_CREATE", message)
        return {"type": int(CallbackType.DEFERRED_CHANNEL_MESSAGE), "message": message}

    async def _cb_deferred_update(self, interaction: InjectedInteraction, data: JSON) -> JSON:
        interaction.original_message_id = interaction.message_id
        return {"type": int(CallbackType.DEFERRED_UPDATE_MESSAGE)}

    async def _cb_update_message(self, interaction: InjectedInteraction, data: JSON) -> JSON:
        assert interaction.message_id is not None
        message = self._messages[interaction.message_id]
        self._apply_body(message, data)
        message["edited_timestamp"] = now_iso()
        interaction.original_message_id = interaction.message_id
        await self._echo("MESSAGE_UPDATE", message)
        return {"type": int(CallbackType.UPDATE_MESSAGE), "message": message}

    async def _cb_modal(self, interaction: InjectedInteraction, data: JSON) -> JSON:
        custom_id = data.get("custom_id", "")
        self.opened_modals[custom_id] = copy.deepcopy(data)
        self._modal_sources[custom_id] = interaction
        return {"type": int(CallbackType.MODAL)}

    # --- interaction webhooks

    def _webhook_interaction(self, call: RestCall) -> InjectedInteraction | None:
        """The acknowledged interaction a webhook call's token names, if any."""
        if call.params.get("application_id") != str(self.application_id):
            return None
        interaction = self._interactions_by_token.get(call.params["interaction_token"])
        return None if interaction is None or interaction.response_type is None else interaction

    async def _rest_edit_original(self, call: RestCall) -> web.Response:
        interaction = self._webhook_interaction(call)
        if interaction is None:
            return error(404, 10015, "Unknown Webhook")
        message = self._messages.get(interaction.original_message_id or 0)
        if message is None:
            return error(404, 10008, "Unknown Message")
        invalid = self._invalid_message_body(call.json, edit=True)
        if invalid is not None:
            return invalid
        self._edit_message(message, call.json)
        await self._echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def _rest_followup(self, call: RestCall) -> web.Response:
        # discord.py always waits (?wait=1) for an interaction follow-up's message.
        interaction = self._webhook_interaction(call)
        if interaction is None:
            return error(404, 10015, "Unknown Webhook")
        invalid = self._invalid_message_body(call.json)
        if invalid is not None:
            return invalid
        message = self._bot_message(interaction.channel, call.json, interaction)
        await self._echo("MESSAGE_CREATE", message)
        return json_response(message)


_CallbackHandler = Callable[[InteractionsMixin, InjectedInteraction, JSON], Awaitable[JSON]]
_CALLBACK_HANDLERS: dict[int, _CallbackHandler] = {
    CallbackType.CHANNEL_MESSAGE: InteractionsMixin._cb_message,
    CallbackType.DEFERRED_CHANNEL_MESSAGE: InteractionsMixin._cb_deferred_message,
    CallbackType.DEFERRED_UPDATE_MESSAGE: InteractionsMixin._cb_deferred_update,
    CallbackType.UPDATE_MESSAGE: InteractionsMixin._cb_update_message,
    CallbackType.MODAL: InteractionsMixin._cb_modal,
}
