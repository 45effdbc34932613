using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using CallCenter.Telephony.Calls;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CallCenter.Agent.Web.Desk;

public sealed record StateRequest([property: Required, RegularExpression("^(available|break|wrap_up|offline)$")] string State);

public sealed record WrapUpRequest([property: Required, RegularExpression("^[a-z0-9_]{1,32}$")] string Code);

public sealed record QuickCustomerRequest(
    [property: Required, StringLength(50, MinimumLength = 1)] string Name,
    [property: StringLength(10)] string? Surname,
    [property: RegularExpression("^(先生|女士)$")] string? Honorific);

public sealed record RepairRequest(
    long? PurchaseId,
    [property: Required, StringLength(500, MinimumLength = 2)] string FaultDescription);

public sealed record ComplaintRequest(
    [property: Required, StringLength(500, MinimumLength = 2)] string Summary,
    [property: RegularExpression("^(S1|S2|S3)$")] string Severity = "S3",
    [property: RegularExpression("^(service|product|pricing|other)$")] string ProblemType = "service",
    [property: StringLength(500)] string? CustomerRequest = null);

public sealed record CallbackRequest(
    [property: Required] DateTimeOffset DueAt,
    [property: RegularExpression(@"^\+?[0-9]{3,20}$")] string? Destination,
    [property: StringLength(200)] string? Note);

public sealed record FlagRequest(
    [property: Required, StringLength(200, MinimumLength = 2)] string Reason,
    [property: Range(1, 365)] int ExpiresInDays = 30);

/// <summary>
/// The agent desk: current pop, state buttons, and the actions on the agent's own call. Every action names
/// the call; the customer and the caller's number come from that call, never from the request body.
/// </summary>
internal static class DeskApi
{
    public static RouteGroupBuilder MapDeskApi(this RouteGroupBuilder api)
    {
        var desk = api.MapGroup("/desk").WithTags("Desk").RequireAuthorization(Roles.AgentPolicy);
        desk.MapGet("/current", Current);
        desk.MapGet("/state", async (ClaimsPrincipal user, DeskActions actions, CancellationToken ct) =>
            new StateRequest(await actions.GetStateAsync(user.AgentId(), ct)));
        desk.MapPost("/state", SetState);
        desk.MapGet("/wrap-up-codes", (DeskActions actions, CancellationToken ct) => actions.WrapUpCodesAsync(ct));
        var call = desk.MapGroup("/calls/{callId:guid}");
        call.MapPost("/wrap-up", WrapUp);
        call.MapPost("/customer", QuickCreate);
        call.MapPost("/repairs", CreateRepair);
        call.MapPost("/complaints", CreateComplaint);
        call.MapPost("/callbacks", ScheduleCallback);
        call.MapPost("/flag", FlagCaller);
        return api;
    }

    private static async Task<Results<Ok<ScreenPop>, NoContent>> Current(ClaimsPrincipal user, DeskStore store,
        ScreenPopBuilder pops, CancellationToken ct)
    {
        var call = await store.CurrentAsync(user.AgentId(), ct);
        return call is null ? TypedResults.NoContent() : TypedResults.Ok(await pops.BuildAsync(call, ct));
    }

    private static async Task<Results<NoContent, ValidationProblem>> SetState(StateRequest request, ClaimsPrincipal user,
        DeskActions actions, CallEventBus bus, TimeProvider clock, CancellationToken ct)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await actions.SetStateAsync(user.AgentId(), request.State, ct))
        {
            // Telephony's ACD and every page learn it from the bus (Guid.Empty: not about a call).
            bus.Publish(new AgentStateChanged(Guid.Empty, clock.GetUtcNow(), user.AgentId(), request.State));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DeskCall>, ValidationProblem, ForbidHttpResult>> WrapUp(Guid callId,
        WrapUpRequest request, ClaimsPrincipal user, DeskStore store, DeskActions actions, CancellationToken ct)
    {
        if (!RequestValidation.TryValidate(request, out var errors)
            || !(await actions.WrapUpCodesAsync(ct)).Any(c => c.Code == request.Code))
        {
            return TypedResults.ValidationProblem(errors.Count > 0 ? errors : new() { ["code"] = ["unknown wrap-up code"] });
        }

        var row = await store.WrapUpAsync(user.AgentId(), callId, request.Code, ct);
        return row is null ? TypedResults.Forbid() : TypedResults.Ok(row);
    }

    private static async Task<Results<Ok<ScreenPop>, ValidationProblem, ForbidHttpResult>> QuickCreate(Guid callId,
        QuickCustomerRequest request, HttpContext http, DeskStore store, DeskActions actions, ScreenPopBuilder pops, AuditLog audit)
    {
        var (call, denied) = await OwnCall(http, callId, store);
        if (denied is not null || call is null)
        {
            return denied!;
        }

        if (!RequestValidation.TryValidate(request, out var errors) || call.CallerNumber is null)
        {
            return TypedResults.ValidationProblem(errors.Count > 0 ? errors : new() { ["callerNumber"] = ["the caller withheld the number"] });
        }

        var id = await actions.CreateCustomerForCallerAsync(request.Name, request.Surname, request.Honorific, call.CallerNumber, http.RequestAborted);
        await store.LinkCustomerAsync(callId, call.AgentId, id, http.RequestAborted);
        await audit.WriteAsync(http, "customer_created", "customer", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var updated = await store.GetAsync(callId, http.RequestAborted);
        return TypedResults.Ok(await pops.BuildAsync(updated!, http.RequestAborted));
    }

    private static async Task<Results<Ok<CreatedTicket>, ValidationProblem, ForbidHttpResult>> CreateRepair(Guid callId,
        RepairRequest request, HttpContext http, DeskStore store, DeskActions actions, AuditLog audit)
    {
        var (call, denied) = await OwnCall(http, callId, store);
        if (denied is not null || call is null)
        {
            return denied!;
        }

        if (!RequestValidation.TryValidate(request, out var errors) || call.CustomerId is not { } customerId)
        {
            return TypedResults.ValidationProblem(errors.Count > 0 ? errors : NoCustomer);
        }

        var ticket = await actions.CreateRepairAsync(call.AgentId, customerId, request.PurchaseId, request.FaultDescription, http.RequestAborted);
        await audit.WriteAsync(http, "repair_order_created", "repair_order", ticket.Number);
        return TypedResults.Ok(ticket);
    }

    private static async Task<Results<Ok<CreatedTicket>, ValidationProblem, ForbidHttpResult>> CreateComplaint(Guid callId,
        ComplaintRequest request, HttpContext http, DeskStore store, DeskActions actions, AuditLog audit)
    {
        var (call, denied) = await OwnCall(http, callId, store);
        if (denied is not null || call is null)
        {
            return denied!;
        }

        if (!RequestValidation.TryValidate(request, out var errors) || call.CustomerId is not { } customerId)
        {
            return TypedResults.ValidationProblem(errors.Count > 0 ? errors : NoCustomer);
        }

        var ticket = await actions.CreateComplaintAsync(call.AgentId, customerId, request.Summary, request.Severity,
            request.ProblemType, request.CustomerRequest, http.RequestAborted);
        await audit.WriteAsync(http, "complaint_created", "complaint", ticket.Number);
        return TypedResults.Ok(ticket);
    }

    private static async Task<Results<Ok<long>, ValidationProblem, ForbidHttpResult>> ScheduleCallback(Guid callId,
        CallbackRequest request, HttpContext http, DeskStore store, DeskActions actions, AuditLog audit, TimeProvider clock)
    {
        var (call, denied) = await OwnCall(http, callId, store);
        if (denied is not null || call is null)
        {
            return denied!;
        }

        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The destination is the caller's number or one on the customer's record, never free text (reliability.md, toll fraud).
        var destination = request.Destination ?? call.CallerNumber;
        var known = destination is not null && (destination == call.CallerNumber
            || (call.CustomerId is { } cid && await store.IsCustomerNumberAsync(cid, destination, http.RequestAborted)));
        if (!known || request.DueAt < clock.GetUtcNow().AddMinutes(-1))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [known ? "dueAt" : "destination"] = [known ? "must not be in the past" : "must be the caller's number or one of the customer's numbers"],
            });
        }

        var user = http.User;
        var id = await actions.ScheduleCallbackAsync(user.Identity!.Name!, call.AgentId, call.CustomerId, callId, destination!,
            request.DueAt, request.Note, http.RequestAborted);
        await audit.WriteAsync(http, "callback_scheduled", "callback", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.Ok(id);
    }

    private static async Task<Results<Ok<int>, ValidationProblem, ForbidHttpResult>> FlagCaller(Guid callId,
        FlagRequest request, HttpContext http, DeskStore store, DeskActions actions, AuditLog audit)
    {
        var (call, denied) = await OwnCall(http, callId, store);
        if (denied is not null || call is null)
        {
            return denied!;
        }

        if (!RequestValidation.TryValidate(request, out var errors) || call.CallerNumber is null)
        {
            return TypedResults.ValidationProblem(errors.Count > 0 ? errors : new() { ["callerNumber"] = ["the caller withheld the number"] });
        }

        var ruleId = await actions.FlagCallerAsync(http.User.Identity!.Name!, call.CallerNumber, request.Reason, request.ExpiresInDays, http.RequestAborted);
        await audit.WriteAsync(http, "caller_flagged", "blocking_rule", ruleId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            request.Reason, new { callId, expiresInDays = request.ExpiresInDays });
        return TypedResults.Ok(ruleId);
    }

    private static readonly Dictionary<string, string[]> NoCustomer = new() { ["customer"] = ["create or link the customer first"] };

    /// <summary>The call must be on this agent's desk; anything else is a 403 (audited by the cookie handler's event).</summary>
    private static async Task<(DeskCall? Call, ForbidHttpResult? Denied)> OwnCall(HttpContext http, Guid callId, DeskStore store)
    {
        var call = await store.GetAsync(callId, http.RequestAborted);
        return call is not null && call.AgentId == http.User.AgentId() ? (call, null) : (null, TypedResults.Forbid());
    }
}
