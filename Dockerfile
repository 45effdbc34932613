# Multi-stage build of the CallCenter host (used by docker-compose.yml; our own machines run without Docker).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig CallCenter.sln ./
COPY src/ src/
RUN dotnet publish src/Agent.Web/Agent.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
ENV Urls=http://0.0.0.0:5000 \
    Telephony__Sip__BindAddress=0.0.0.0 \
    Logs__Directory=/var/log/callcenter \
    Telephony__RecordingsPath=/var/lib/callcenter/recordings \
    DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
EXPOSE 5000 5060/udp 5060/tcp
ENTRYPOINT ["dotnet", "CallCenter.Agent.Web.dll"]
