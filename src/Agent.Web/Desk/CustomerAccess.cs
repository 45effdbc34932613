using System.Globalization;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Customers;

namespace CallCenter.Agent.Web.Desk;

/// <summary>
/// An agent sees only the customer they are talking to (reliability.md §4): reads of /api/customers by a
/// user who is only an agent must match the open call on their desk. Supervisors, QA and admins pass.
/// </summary>
internal static class CustomerAccess
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = http.User;
        if (!HttpMethods.IsGet(http.Request.Method) || user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Qa) || user.IsInRole(Roles.Admin))
        {
            return await next(context);
        }

        var desk = http.RequestServices.GetRequiredService<DeskStore>();
        var agentId = user.AgentId();
        bool allowed;
        if (http.Request.RouteValues.TryGetValue("id", out var raw)
            && long.TryParse(Convert.ToString(raw, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            allowed = await desk.IsTalkingToAsync(agentId, id, http.RequestAborted);
        }
        else
        {
            var phone = PhoneNumbers.Normalize(http.Request.Query["phone"]);
            var current = await desk.CurrentAsync(agentId, http.RequestAborted);
            allowed = phone is null || (current is not null && current.CallerNumber == phone);
        }

        return allowed ? await next(context) : TypedResults.Forbid();
    }
}
