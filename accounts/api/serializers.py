from django.contrib.auth import authenticate
from rest_framework import serializers

from backend.api import StrictInput


class TokenRequestSerializer(StrictInput, serializers.Serializer):
    email = serializers.EmailField()
    # Bounded, so that a megabyte of "password" is refused before it is hashed.
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            self.context["request"], username=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                "Unable to sign in with that email and password.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
