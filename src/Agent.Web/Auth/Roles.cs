using System.Globalization;
using System.Security.Claims;

namespace CallCenter.Agent.Web.Auth;

/// <summary>Role names (agents.roles) and the authorisation policies built on them.</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Qa = "qa";
    public const string Admin = "admin";

    public const string AgentPolicy = "Agent";
    public const string SupervisorPolicy = "Supervisor";
    public const string AdminPolicy = "Admin";
    /// <summary>Blocking rules: supervisors and admins edit them (reliability.md §4 roles table).</summary>
    public const string RulesPolicy = "Rules";
    /// <summary>QA reviewers (evaluate their assigned samples).</summary>
    public const string QaPolicy = "Qa";
    /// <summary>Running a sampling plan and listing samples: QA staff and supervisors.</summary>
    public const string QaRunPolicy = "QaRun";

    public const string DisplayNameClaim = "display_name";
    public const string EmployeeNoClaim = "employee_no";

    public static int AgentId(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("no agent id claim"),
            CultureInfo.InvariantCulture);

    public static string AgentGroup(int agentId) => "agent:" + agentId.ToString(CultureInfo.InvariantCulture);

    public static string CallGroup(Guid callId) => "call:" + callId.ToString("N");

    public const string SupervisorsGroup = "supervisors";
}
